import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isUserError } from '@/lib/errors';
import { getArchitecture } from '@/server/services/architectures';
import { loadProject } from '../../../project';
import { DiffView } from './diff-view';

export const metadata: Metadata = { title: 'Compare versions' };

export default async function DiffPage({
  params,
  searchParams,
}: {
  params: Promise<{ teamSlug: string; projectSlug: string; architectureId: string }>;
  searchParams: Promise<{ from?: string; to?: string }>;
}) {
  const { teamSlug, projectSlug, architectureId } = await params;
  const sp = await searchParams;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  const arch = await getArchitecture(team.id, architectureId).catch((err) => {
    if (isUserError(err, 'not-found')) notFound();
    throw err;
  });
  if (arch.project.id !== project.id) notFound();
  const latest = arch.latestVersion;
  const clamp = (raw: string | undefined, fallback: number) => {
    const n = Number(raw);
    return Number.isInteger(n) && n >= 1 && n <= latest ? n : fallback;
  };
  return (
    <DiffView
      teamId={team.id}
      architectureId={arch.id}
      name={arch.name}
      versions={arch.versions.map((v) => ({ version: v.version, message: v.message }))}
      from={clamp(sp.from, Math.max(1, latest - 1))}
      to={clamp(sp.to, latest)}
      basePath={`/t/${team.slug}/projects/${project.slug}/architectures/${arch.id}`}
    />
  );
}
