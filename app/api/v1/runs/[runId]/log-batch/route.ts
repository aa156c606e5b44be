import { jsonBody, runAccess, restRoute } from '@/server/api/rest';
import { logBatch } from '@/server/services/external-runs';

export const dynamic = 'force-dynamic';

/** { metrics?: [{ key, value, step, timestamp? }], params?: [{ key, value }], tags?: [{ key, value }] } → counts. */
export const POST = restRoute<{ runId: string }>(async (req, { runId }) => {
  // The access check (a database round trip) and reading the body overlap; an access refusal
  // still wins over a bad body, so nothing is said about the body to a caller without access.
  const [access, body] = await Promise.allSettled([runAccess(req, runId, 'MEMBER'), jsonBody(req)]);
  if (access.status === 'rejected') throw access.reason;
  if (body.status === 'rejected') throw body.reason;
  const { teamId, role, run } = access.value;
  return logBatch({ teamId, role, runId, run, input: body.value as never });
});
