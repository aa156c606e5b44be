import { ZExternalRunSearchInput } from '@/lib/schemas/external-runs';
import { callerTeam, jsonBody, restCaller, restRoute } from '@/server/api/rest';
import { projectOfTeam } from '@/server/services/external-runs';
import { searchRuns } from '@/server/services/run-search';

export const dynamic = 'force-dynamic';

/** The runs table's search (query language, sort, paging) over one project, worker and external runs alike. */
export const POST = restRoute(async (req) => {
  const caller = await restCaller(req);
  const { project: ref, teamId: wanted, ...input } = ZExternalRunSearchInput.parse(await jsonBody(req));
  const { teamId } = await callerTeam(caller, wanted);
  const project = await projectOfTeam(teamId, ref);
  return searchRuns({ ...input, projectId: project.id, teamId });
});
