import { runAccess, restRoute } from '@/server/api/rest';
import { DomainError } from '@/server/services/errors';
import { MAX_ARTIFACT_BYTES, readArtifact, uploadArtifact } from '@/server/services/external-runs';

export const dynamic = 'force-dynamic';

/** Upload a file (the raw request body) to the run's artifacts at PATH. */
export const PUT = restRoute<{ runId: string; path: string[] }>(async (req, { runId, path }) => {
  const { teamId, role } = await runAccess(req, runId, 'MEMBER');
  const length = Number(req.headers.get('content-length') ?? 0);
  if (length > MAX_ARTIFACT_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', `Artifacts are limited to ${MAX_ARTIFACT_BYTES / 1024 / 1024} MB`);
  const data = Buffer.from(await req.arrayBuffer());
  if (data.length > MAX_ARTIFACT_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', `Artifacts are limited to ${MAX_ARTIFACT_BYTES / 1024 / 1024} MB`);
  return uploadArtifact({ teamId, role, runId, path: path.map(decodeURIComponent).join('/'), data });
});

export const GET = restRoute<{ runId: string; path: string[] }>(async (req, { runId, path }) => {
  const { teamId } = await runAccess(req, runId);
  const p = path.map(decodeURIComponent).join('/');
  const data = await readArtifact({ teamId, runId, path: p });
  return new Response(new Uint8Array(data), { headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename="${p.split('/').pop()!.replace(/"/g, '')}"` } });
});
