import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { can } from '@/lib/roles';
import { isUserError } from '@/lib/errors';
import { getSweep } from '@/server/services/sweeps';
import { loadProject } from '../../project';
import { SweepView } from './sweep-view';

export const metadata: Metadata = { title: 'Sweep' };

export default async function SweepPage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string; sweepId: string }> }) {
  const { teamSlug, projectSlug, sweepId } = await params;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  const sweep = await getSweep(team.id, sweepId).catch((err) => {
    if (isUserError(err, 'not-found')) notFound();
    throw err;
  });
  if (sweep.project.slug !== project.slug) notFound();
  return <SweepView teamId={team.id} sweepId={sweep.id} canWrite={can.write(team.role)} basePath={`/t/${team.slug}/projects/${project.slug}`} />;
}
