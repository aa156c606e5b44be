import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { can } from '@/lib/roles';
import { isUserError } from '@/lib/errors';
import { getRun } from '@/server/services/runs';
import { loadProject } from '../../project';
import { RunView } from './run-view';

export const metadata: Metadata = { title: 'Run' };

export default async function RunPage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string; runId: string }> }) {
  const { teamSlug, projectSlug, runId } = await params;
  const { user, team, project } = await loadProject(teamSlug, projectSlug);
  const run = await getRun(team.id, runId).catch((err) => {
    if (isUserError(err, 'not-found')) notFound();
    throw err;
  });
  if (run.projectId !== project.id) notFound();
  return <RunView teamId={team.id} runId={run.id} canWrite={can.write(team.role)} basePath={`/t/${team.slug}/projects/${project.slug}`} me={{ id: user.id, role: team.role }} />;
}
