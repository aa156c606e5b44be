import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { can } from '@/lib/roles';
import { PageHeader } from '../../../../../../_components/ui';
import { loadProject } from '../../project';
import { NewRunForm } from './new-run-form';

export const metadata: Metadata = { title: 'New run' };

export default async function NewRunPage({
  params,
  searchParams,
}: {
  params: Promise<{ teamSlug: string; projectSlug: string }>;
  searchParams: Promise<{ architectureId?: string; datasetId?: string }>;
}) {
  const { teamSlug, projectSlug } = await params;
  const sp = await searchParams;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  if (!can.write(team.role)) notFound();
  return (
    <>
      <PageHeader title="New training run" description="Pin an architecture and a dataset version, choose the training settings, and queue it for a worker." />
      <NewRunForm teamId={team.id} projectId={project.id} basePath={`/t/${team.slug}/projects/${project.slug}`} initialArchitectureId={sp.architectureId} initialDatasetId={sp.datasetId} />
    </>
  );
}
