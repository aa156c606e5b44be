import { runAccess, restRoute } from '@/server/api/rest';
import { DomainError } from '@/server/services/errors';
import { metricHistory } from '@/server/services/external-runs';

export const dynamic = 'force-dynamic';

/** ?key=loss[&context=train][&afterStep=-1][&limit=5000]: raw points in step order; page with nextAfterStep. */
export const GET = restRoute<{ runId: string }>(async (req, { runId }) => {
  const { teamId } = await runAccess(req, runId);
  const q = Object.fromEntries(new URL(req.url).searchParams);
  if (!q.key) throw new DomainError('BAD_REQUEST', 'key is required: ?key=<metric name>', 'key');
  return metricHistory({ teamId, runId, key: q.key, query: q });
});
