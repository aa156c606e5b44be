import { prisma } from '@/lib/db/client';
import { fairnessReportCsv } from '@/lib/fairness/export';
import { errorResponse, requireTeamRole } from '@/server/api/rest';
import { DomainError, notFound } from '@/server/services/errors';
import { runReport } from '@/server/services/runs';

export const dynamic = 'force-dynamic';

/** A run's fairness and explainability reports: ?format=json (both, whole) or csv (fairness tables); &checkpoint=ID for a checkpoint's. */
export async function GET(req: Request, { params }: { params: Promise<{ runId: string }> }) {
  try {
    const { runId } = await params;
    const search = new URL(req.url).searchParams;
    const format = search.get('format') ?? 'json';
    const checkpointId = search.get('checkpoint') || undefined;
    if (format !== 'json' && format !== 'csv') throw new DomainError('BAD_REQUEST', "format must be 'json' or 'csv'");
    const run = await prisma.run.findUnique({ where: { id: runId }, select: { teamId: true, number: true } });
    if (!run) throw notFound('Run');
    await requireTeamRole(run.teamId);
    const report = await runReport(run.teamId, runId, checkpointId);
    if (!report.fairness && !report.explain) throw notFound('Report (the run has none yet)');
    const name = `run-${run.number}${report.checkpoint ? `-epoch-${report.checkpoint.epoch}` : ''}-report`;
    if (format === 'csv') {
      if (!report.fairness || report.fairness.task !== 'binary') throw new DomainError('BAD_REQUEST', 'CSV export covers binary fairness reports; use format=json');
      return new Response(fairnessReportCsv(report.fairness.report), { headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}.csv"` } });
    }
    return new Response(
      JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1),
      {
        headers: { 'Content-Type': 'application/json', 'Content-Disposition': `attachment; filename="${name}.json"` },
      },
    );
  } catch (err) {
    return errorResponse(err);
  }
}
