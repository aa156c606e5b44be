import { prisma } from '@/lib/db/client';
import { errorResponse, requireTeamRole } from '@/server/api/rest';
import { DomainError, notFound } from '@/server/services/errors';

export const dynamic = 'force-dynamic';

/**
 * Every metric point of one or more runs (full resolution: this is an export, not a chart), as
 * CSV or JSON. ?runs=ID[,ID…]&format=csv|json
 */
export async function GET(req: Request) {
  try {
    const url = new URL(req.url);
    const ids = [...new Set((url.searchParams.get('runs') ?? '').split(',').filter(Boolean))].slice(0, 50);
    const format = url.searchParams.get('format') ?? 'csv';
    if (!ids.length) throw new DomainError('BAD_REQUEST', 'runs is required: ?runs=ID[,ID…]');
    if (format !== 'csv' && format !== 'json') throw new DomainError('BAD_REQUEST', "format must be 'csv' or 'json'");
    const runs = await prisma.run.findMany({ where: { id: { in: ids } }, select: { id: true, number: true, name: true, teamId: true } });
    if (runs.length !== ids.length) throw notFound('Run');
    const teams = new Set(runs.map((r) => r.teamId));
    if (teams.size !== 1) throw notFound('Run');
    await requireTeamRole([...teams][0]!);
    const rows = await prisma.$queryRaw<Array<{ runId: string; key: string; context: string; step: number; epoch: number | null; value: number; wallTime: Date }>>`
      SELECT s."runId", s.key, s.context, p.step, p.epoch, p.value, p."wallTime"
      FROM "MetricPoint" p JOIN "MetricSeries" s ON s.id = p."seriesId"
      WHERE s."runId" = ANY(${ids}::text[])
      ORDER BY s."runId", s.context, s.key, p.step`;
    const number = new Map(runs.map((r) => [r.id, r.number]));
    const stamp = new Date().toISOString().slice(0, 10);
    if (format === 'json') {
      const out = runs.map((r) => ({
        id: r.id,
        number: r.number,
        name: r.name,
        points: rows
          .filter((p) => p.runId === r.id)
          .map((p) => ({ key: p.key, context: p.context, step: p.step, epoch: p.epoch, value: Number.isFinite(p.value) ? p.value : String(p.value), wallTime: p.wallTime })),
      }));
      return new Response(JSON.stringify({ runs: out }, null, 1), { headers: { 'Content-Type': 'application/json', 'Content-Disposition': `attachment; filename="deepboard-metrics-${stamp}.json"` } });
    }
    const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = ['run_id,run_number,key,context,step,epoch,value,wall_time'];
    for (const p of rows) lines.push([p.runId, number.get(p.runId), esc(p.key), p.context, p.step, p.epoch ?? '', p.value, p.wallTime.toISOString()].join(','));
    return new Response(lines.join('\n') + '\n', { headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="deepboard-metrics-${stamp}.csv"` } });
  } catch (err) {
    return errorResponse(err);
  }
}
