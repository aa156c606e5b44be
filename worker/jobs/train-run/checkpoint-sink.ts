import type { PrismaClient } from '@prisma/client';
import type { ArtifactStore } from '@/lib/artifacts/store';
import { recordCheckpoint, type Rejected } from '@/lib/runs/lifecycle';
import type { MetricBuffer } from '@/lib/tracking/metrics';
import { saveCheckpoint } from '../../checkpoint/checkpoint';
import type { CheckpointEvent } from '../../training/hooks';

/**
 * Where a running attempt's checkpoints go: the weights into the artifact store, the record
 * through the lifecycle (fenced by the attempt). Only the newest 'best' checkpoint is kept. A
 * superseded attempt's files are deleted again and its checkpoint never recorded, so the run's
 * next attempt never resumes from a stale attempt's weights.
 */

export interface CheckpointSinkDeps {
  prisma: PrismaClient;
  store: ArtifactStore;
  run: { id: string; teamId: string; attempt: number };
  /** The metric a 'best' checkpoint is chosen by (recorded with it). */
  monitor: string;
  metrics: MetricBuffer;
  log: (line: string, level?: string) => void;
  /** The attempt lost the run: the handler stops it. */
  onSuperseded: (r: Rejected) => void;
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

export function checkpointSink(deps: CheckpointSinkDeps) {
  const { prisma, store, run } = deps;
  const deleteFiles = async (key: string, why: string) => {
    try {
      await store.deletePrefix(key);
    } catch (err) {
      deps.log(`run ${run.id}: deleting ${why} checkpoint files at ${key} failed (left in the store): ${firstLine(err)}`, 'warn');
    }
  };
  return async ({ kind, epoch, models, state, value }: CheckpointEvent): Promise<void> => {
    // Everything logged up to the checkpoint is stored before the checkpoint exists, so a resume
    // from it never misses a point.
    await deps.metrics.drain();
    const key = `teams/${run.teamId}/runs/${run.id}/checkpoints/${kind}-${epoch}-a${run.attempt}`;
    const meta = await saveCheckpoint(store, key, { models, state, kind, value });
    // The size is informative only: a part whose size cannot be read counts as 0.
    const sizes = await Promise.all(meta.parts.flatMap((p) => [`${key}/${p}/model.json`, `${key}/${p}/weights.bin`]).map((k) => store.size(k).catch(() => 0)));
    const r = await recordCheckpoint(prisma, {
      runId: run.id,
      attempt: run.attempt,
      checkpoint: { epoch, kind, key, metric: kind === 'best' ? deps.monitor : null, value: value ?? null, sizeBytes: BigInt(sizes.reduce((a, b) => a + b, 0)) },
    });
    if (!r.ok) {
      await deleteFiles(key, 'a superseded attempt’s');
      deps.onSuperseded(r);
      return;
    }
    for (const old of r.replacedKeys) await deleteFiles(old, 'the previous best');
  };
}
