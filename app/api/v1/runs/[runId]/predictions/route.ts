import { jsonBody, runAccess, restRoute } from '@/server/api/rest';
import { uploadPredictions } from '@/server/services/external-runs';

export const dynamic = 'force-dynamic';

/** Test-set predictions → evaluation, test metrics and (with sensitive attributes) the fairness report. */
export const POST = restRoute<{ runId: string }>(async (req, { runId }) => {
  const { teamId, role } = await runAccess(req, runId, 'MEMBER');
  return uploadPredictions({ teamId, role, runId, input: (await jsonBody(req, 256 * 1024 * 1024)) as never });
});
