import type { Prisma, PrismaClient } from '@prisma/client';
import { ZBackendCandidate, ZBackendName, type BackendChoice, type BackendName, type BackendSetting } from '@/lib/schemas/backends';
import { TF_BACKEND_OF, type LoadedBackend } from '../backend';
import { chooseBackend, measureTraining, missingKernels, trainingKernels, type AutotuneCache, type TrainingProbeInput } from '../training/autotune';

/**
 * Wires autotuning into a run: the kernels its training step needs, the timing of each candidate
 * on the real model and data, and the cache in Postgres (BackendAutotune), keyed by worker host,
 * architecture version and batch size.
 */

export function prismaAutotuneCache(prisma: PrismaClient, key: { workerKey: string; architectureVersionId: string; batchSize: number; workerId?: string }): AutotuneCache {
  const where = { workerKey_architectureVersionId_batchSize: { workerKey: key.workerKey, architectureVersionId: key.architectureVersionId, batchSize: key.batchSize } };
  return {
    async get() {
      const row = await prisma.backendAutotune.findUnique({ where });
      if (!row) return null;
      const backend = ZBackendName.safeParse(row.backend);
      const candidates = ZBackendCandidate.array().safeParse(row.candidates);
      return backend.success && candidates.success ? { backend: backend.data, candidates: candidates.data } : null;
    },
    async put(backend, candidates) {
      const data = { backend, candidates: candidates as unknown as Prisma.InputJsonValue, workerId: key.workerId ?? null, createdAt: new Date() };
      await prisma.backendAutotune.upsert({ where, create: { ...where.workerKey_architectureVersionId_batchSize, ...data }, update: data });
    },
  };
}

export interface RunBackendInput {
  loaded: Pick<LoadedBackend, 'available' | 'attempts'>;
  setting: BackendSetting;
  probe: TrainingProbeInput;
  cache?: AutotuneCache;
  /** Timing settings (tests shorten them). */
  batches?: number;
  maxMs?: number;
}

/** Chooses the run's backend (does not switch to it). */
export async function chooseRunBackend(input: RunBackendInput): Promise<BackendChoice> {
  const available = input.loaded.available.map((b) => b.name);
  let kernels: string[] | null = null;
  const needsKernels = input.setting === 'auto' && available.length > 1;
  if (needsKernels) kernels = await trainingKernels(input.probe);
  return chooseBackend({
    available,
    setting: input.setting,
    batchSize: input.probe.config.paradigm === 'reinforcement' ? undefined : input.probe.config.batchSize,
    cache: input.cache,
    whyUnavailable: (b: BackendName) => input.loaded.attempts.find((a) => a.backend === b)?.reason,
    unsupported: (b) => {
      const missing = kernels ? missingKernels(kernels, TF_BACKEND_OF[b]) : [];
      return missing.length ? `tfjs has no ${missing.join(', ')} kernel${missing.length > 1 ? 's' : ''} for ${TF_BACKEND_OF[b]}, which training this model needs` : null;
    },
    measure: (b, best) =>
      measureTraining(TF_BACKEND_OF[b], input.probe, { batches: input.batches ?? 2, maxMs: input.maxMs ?? 2000, giveUpAfterMs: best === null ? undefined : Math.max(1000, best * 5) }),
  });
}
