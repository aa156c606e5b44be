/**
 * TensorFlow.js backends as Deepboard names them, shared by the worker (which loads them), the run
 * form and config (which may pin one) and the runs query language (which filters by them).
 */
import { z } from 'zod';

/** Preference order when nothing has been measured: native GPU, WebGPU, native CPU, wasm, cpu. */
export const BACKEND_NAMES = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const;
export const ZBackendName = z.enum(BACKEND_NAMES);
export type BackendName = z.infer<typeof ZBackendName>;

/** A run's backend setting: `auto` times the candidates and takes the fastest, or one pinned. */
export const ZBackendSetting = z.enum(['auto', ...BACKEND_NAMES], {
  error: `backend must be one of auto, ${BACKEND_NAMES.join(', ')}`,
});
export type BackendSetting = z.infer<typeof ZBackendSetting>;

export const BACKEND_LABELS: Record<BackendName, string> = {
  'node-gpu': 'tfjs-node-gpu (CUDA)',
  webgpu: 'WebGPU (Dawn, Vulkan)',
  node: 'tfjs-node (libtensorflow)',
  wasm: 'WebAssembly',
  cpu: 'plain JavaScript',
};

/** What a GPU adapter says about itself (WebGPU's GPUAdapterInfo, plus the driver version). */
export const ZGpuAdapter = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  driver: z.string().optional(),
});
export type GpuAdapter = z.infer<typeof ZGpuAdapter>;

/** One candidate of a run's backend choice: its timing, or why it was not a candidate. */
export const ZBackendCandidate = z.object({
  backend: ZBackendName,
  ok: z.boolean(),
  /** Mean wall time of one training batch after a warm-up batch (one episode for RL). */
  msPerBatch: z.number().optional(),
  samplesPerSec: z.number().optional(),
  batchesTimed: z.number().optional(),
  reason: z.string().optional(),
});
export type BackendCandidate = z.infer<typeof ZBackendCandidate>;

/** Stored on the run (Run.backendChoice): how its backend was chosen. */
export const ZBackendChoice = z.object({
  mode: z.enum(['auto', 'pinned', 'worker']),
  backend: ZBackendName,
  /** True when the choice came from the worker's cache for this architecture version and batch size. */
  cached: z.boolean(),
  batchSize: z.number().optional(),
  candidates: z.array(ZBackendCandidate),
  decidedAt: z.string(),
});
export type BackendChoice = z.infer<typeof ZBackendChoice>;

/** "NVIDIA H100 80GB HBM3 (nvidia hopper, driver 580.159.04)". */
export function adapterLabel(a: GpuAdapter): string {
  const name = a.device || a.description || a.vendor || 'GPU';
  const kind = [a.vendor && !name.toLowerCase().includes(a.vendor.toLowerCase()) ? a.vendor : '', a.architecture].filter(Boolean).join(' ');
  const extra = [kind, a.driver ? `driver ${a.driver}` : ''].filter(Boolean);
  return extra.length ? `${name} (${extra.join(', ')})` : name;
}
