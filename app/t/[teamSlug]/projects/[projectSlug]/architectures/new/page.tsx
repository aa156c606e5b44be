import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { can } from '@/lib/roles';
import { PageHeader } from '../../../../../../_components/ui';
import { loadProject } from '../../project';
import { NewArchitecture } from './new-architecture';

export const metadata: Metadata = { title: 'New architecture' };

export default async function NewArchitecturePage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string }> }) {
  const { teamSlug, projectSlug } = await params;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  if (!can.write(team.role)) notFound();
  return (
    <>
      <PageHeader title="New architecture" description={`In ${project.name}. Pick a template fitted to your data's shape, then edit it layer by layer.`} />
      <NewArchitecture teamId={team.id} projectId={project.id} basePath={`/t/${team.slug}/projects/${project.slug}/architectures`} />
    </>
  );
}
