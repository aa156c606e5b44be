import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { can } from '@/lib/roles';
import { PageHeader } from '../../../../../../_components/ui';
import { loadProject } from '../../project';
import { NewDataset } from './new-dataset';

export const metadata: Metadata = { title: 'New dataset' };

export default async function NewDatasetPage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string }> }) {
  const { teamSlug, projectSlug } = await params;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  if (!can.write(team.role)) notFound();
  return (
    <>
      <PageHeader title="New dataset" description={`In ${project.name}. Upload a CSV or a zip of images, or generate synthetic data.`} />
      <NewDataset teamId={team.id} projectId={project.id} basePath={`/t/${team.slug}/projects/${project.slug}/datasets`} />
    </>
  );
}
