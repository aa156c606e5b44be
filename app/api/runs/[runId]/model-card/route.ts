import { prisma } from '@/lib/db/client';
import { modelCardMarkdown } from '@/lib/model-card';
import { errorResponse, requireTeamRole } from '@/server/api/rest';
import { DomainError, notFound } from '@/server/services/errors';
import { getModelCard } from '@/server/services/model-cards';

export const dynamic = 'force-dynamic';

/** A run's model card as a download: ?format=md (Markdown) or json. */
export async function GET(req: Request, { params }: { params: Promise<{ runId: string }> }) {
  try {
    const { runId } = await params;
    const format = new URL(req.url).searchParams.get('format') ?? 'md';
    if (format !== 'md' && format !== 'json') throw new DomainError('BAD_REQUEST', "format must be 'md' or 'json'");
    const run = await prisma.run.findUnique({ where: { id: runId }, select: { teamId: true, number: true } });
    if (!run) throw notFound('Run');
    await requireTeamRole(run.teamId);
    const card = await getModelCard(run.teamId, runId);
    const name = `run-${run.number}-model-card`;
    if (format === 'md') {
      return new Response(modelCardMarkdown(card), { headers: { 'Content-Type': 'text/markdown; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}.md"` } });
    }
    return new Response(JSON.stringify(card, null, 1), { headers: { 'Content-Type': 'application/json', 'Content-Disposition': `attachment; filename="${name}.json"` } });
  } catch (err) {
    return errorResponse(err);
  }
}
