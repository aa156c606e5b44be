import { ZCreateExternalRunInput } from '@/lib/schemas/external-runs';
import { callerTeam, jsonBody, jsonResponse, restCaller, restRoute } from '@/server/api/rest';
import { createExternalRun } from '@/server/services/external-runs';

export const dynamic = 'force-dynamic';

/** Create an external run (no worker): it starts RUNNING. */
export const POST = restRoute(async (req) => {
  const caller = await restCaller(req);
  const input = ZCreateExternalRunInput.parse(await jsonBody(req));
  const { teamId, role } = await callerTeam(caller, input.teamId, 'MEMBER');
  const run = await createExternalRun({ teamId, userId: caller.userId, role, input });
  return jsonResponse(run, { status: 201 });
});
