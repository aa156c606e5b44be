import { jsonBody, runAccess, restRoute } from '@/server/api/rest';
import { logBatch } from '@/server/services/external-runs';

export const dynamic = 'force-dynamic';

/** { metrics?: [{ key, value, step, timestamp? }], params?: [{ key, value }], tags?: [{ key, value }] } → counts. */
export const POST = restRoute<{ runId: string }>(async (req, { runId }) => {
  const { teamId, role, run } = await runAccess(req, runId, 'MEMBER');
  return logBatch({ teamId, role, runId, run, input: (await jsonBody(req)) as never });
});
