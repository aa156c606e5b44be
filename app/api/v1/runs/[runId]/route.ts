import { jsonBody, runAccess, restRoute } from '@/server/api/rest';
import { runForApi, updateExternalRun } from '@/server/services/external-runs';

export const dynamic = 'force-dynamic';

export const GET = restRoute<{ runId: string }>(async (req, { runId }) => {
  const { teamId } = await runAccess(req, runId);
  return runForApi(teamId, runId);
});

/** Status (RUNNING, FINISHED/SUCCEEDED, FAILED, KILLED/CANCELED), name, error, endTime. */
export const PATCH = restRoute<{ runId: string }>(async (req, { runId }) => {
  const { teamId, role } = await runAccess(req, runId, 'MEMBER');
  return updateExternalRun({ teamId, role, runId, input: (await jsonBody(req)) as never });
});
