import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { can } from '@/lib/roles';
import { isUserError } from '@/lib/errors';
import { getArchitecture } from '@/server/services/architectures';
import { loadProject } from '../../project';
import { ArchitectureWorkbench } from './workbench';

export const metadata: Metadata = { title: 'Architecture' };

export default async function ArchitecturePage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string; architectureId: string }> }) {
  const { teamSlug, projectSlug, architectureId } = await params;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  const arch = await getArchitecture(team.id, architectureId).catch((err) => {
    if (isUserError(err, 'not-found')) notFound();
    throw err;
  });
  if (arch.project.id !== project.id) notFound();
  return <ArchitectureWorkbench teamId={team.id} architectureId={arch.id} canWrite={can.write(team.role)} basePath={`/t/${team.slug}/projects/${project.slug}/architectures`} />;
}
