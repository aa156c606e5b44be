import { runAccess, restRoute } from '@/server/api/rest';
import { listArtifacts } from '@/server/services/external-runs';

export const dynamic = 'force-dynamic';

export const GET = restRoute<{ runId: string }>(async (req, { runId }) => {
  const { teamId } = await runAccess(req, runId);
  return { artifacts: await listArtifacts({ teamId, runId }) };
});
