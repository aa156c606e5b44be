import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isUserError } from '@/lib/errors';
import { getDataset } from '@/server/services/datasets';
import { loadProject } from '../../project';
import { DatasetView } from './dataset-view';

export const metadata: Metadata = { title: 'Dataset' };

export default async function DatasetPage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string; datasetId: string }> }) {
  const { teamSlug, projectSlug, datasetId } = await params;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  const dataset = await getDataset(team.id, datasetId).catch((err) => {
    if (isUserError(err, 'not-found')) notFound();
    throw err;
  });
  if (dataset.project.id !== project.id) notFound();
  return <DatasetView teamId={team.id} datasetId={dataset.id} basePath={`/t/${team.slug}/projects/${project.slug}/datasets/${dataset.id}`} />;
}
