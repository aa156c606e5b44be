import { prisma } from '@/lib/db/client';
import { artifactStore } from '@/lib/artifacts/store';
import { errorResponse, requireTeamRole } from '@/server/api/rest';
import { DomainError, notFound } from '@/server/services/errors';
import { CheckpointError } from '@/lib/artifacts/checkpoint-meta';
import { zipCheckpoint } from '@/lib/artifacts/checkpoint-zip';

export const dynamic = 'force-dynamic';

/** A checkpoint as a zip: model.json + weights.bin per part (TensorFlow.js layers format). */
export async function GET(_req: Request, { params }: { params: Promise<{ runId: string; checkpointId: string }> }) {
  try {
    const { runId, checkpointId } = await params;
    const cp = await prisma.checkpoint.findFirst({ where: { id: checkpointId, runId }, include: { run: { select: { teamId: true, number: true } } } });
    if (!cp) throw notFound('Checkpoint');
    await requireTeamRole(cp.run.teamId);
    const zip = await zipCheckpoint(artifactStore(), cp.key).catch((err: unknown) => {
      // The row outlived its files (artifact store cleaned or moved): a missing file, not a crash.
      if (err instanceof CheckpointError) throw new DomainError('NOT_FOUND', `The files of the epoch ${cp.epoch} checkpoint are missing from the artifact store`);
      throw err;
    });
    return new Response(new Uint8Array(zip), {
      headers: {
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="run-${cp.run.number}-${cp.kind}-epoch-${cp.epoch}.zip"`,
        'Cache-Control': 'no-store',
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
