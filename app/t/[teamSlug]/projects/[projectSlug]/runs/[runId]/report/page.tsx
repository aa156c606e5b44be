import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { DomainError } from '@/server/services/errors';
import { getRun, runReport } from '@/server/services/runs';
import { loadProject } from '../../../project';
import { PrintableReport } from './printable-report';

export const metadata: Metadata = { title: 'Fairness and explainability report' };

/** The run's reports on one page laid out for printing (or saving as PDF from the browser). */
export default async function RunReportPage({ params, searchParams }: { params: Promise<{ teamSlug: string; projectSlug: string; runId: string }>; searchParams: Promise<{ checkpoint?: string }> }) {
  const { teamSlug, projectSlug, runId } = await params;
  const { checkpoint } = await searchParams;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  const run = await getRun(team.id, runId).catch((err) => {
    if (err instanceof DomainError && err.code === 'NOT_FOUND') notFound();
    throw err;
  });
  if (run.projectId !== project.id) notFound();
  const report = await runReport(team.id, run.id, typeof checkpoint === 'string' && checkpoint ? checkpoint : undefined).catch((err) => {
    if (err instanceof DomainError && err.code === 'NOT_FOUND') notFound();
    throw err;
  });
  const r = run;
  return (
    <PrintableReport
      run={{
        id: run.id,
        number: run.number,
        name: run.name,
        project: project.name,
        team: team.name,
        architecture: r.architectureVersion ? `${r.architectureVersion.architecture.name} v${r.architectureVersion.version}` : null,
        dataset: r.datasetVersion ? `${r.datasetVersion.dataset.name} v${r.datasetVersion.version}` : null,
        finishedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
      }}
      backHref={`/t/${team.slug}/projects/${project.slug}/runs/${run.id}`}
      report={report}
    />
  );
}
