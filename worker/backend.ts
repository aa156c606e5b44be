import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './backends/wasm-kernels';

/**
 * TensorFlow.js backend selection. Preference: tfjs-node-gpu → tfjs-node (native libtensorflow,
 * optional dependencies that are absent where their install could not download it) → wasm → cpu.
 * DEEPBOARD_BACKEND pins one (`node-gpu`, `node`, `wasm`, `cpu`); `auto` (default) takes the best
 * that loads. Each attempt is recorded with its reason, for the worker row and `deepboard doctor`.
 */

export type BackendName = 'node-gpu' | 'node' | 'wasm' | 'cpu';
export const BACKEND_ORDER: BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  reason?: string;
}

export interface LoadedBackend {
  /** Our name for it (node-gpu, node, wasm, cpu). */
  name: BackendName;
  /** tf.getBackend() after loading: tensorflow, wasm, cpu. */
  tfBackend: string;
  device: string;
  versions: Record<string, string>;
  attempts: BackendAttempt[];
}

const require = createRequire(import.meta.url);

function shortReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find (module|package)/.test(msg)) return 'not installed';
  return msg.split('\n')[0]!.slice(0, 200);
}

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<void> {
  // The native packages register the 'tensorflow' backend on import.
  require(pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
}

export function wasmDistDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
}

async function tryWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  wasm.setWasmPaths(wasmDistDir() + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
}

async function tryCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
}

const loaders: Record<BackendName, () => Promise<void>> = {
  'node-gpu': () => tryNative('@tensorflow/tfjs-node-gpu'),
  node: () => tryNative('@tensorflow/tfjs-node'),
  wasm: tryWasm,
  cpu: tryCpu,
};

export function parseBackendPreference(raw: string | undefined): BackendName | 'auto' {
  const v = (raw ?? 'auto').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if ((BACKEND_ORDER as string[]).includes(v)) return v as BackendName;
  throw new Error(`DEEPBOARD_BACKEND must be one of auto, ${BACKEND_ORDER.join(', ')} (got "${raw}")`);
}

export async function loadBestBackend(preference: BackendName | 'auto' = 'auto'): Promise<LoadedBackend> {
  const order = preference === 'auto' ? BACKEND_ORDER : [preference];
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    try {
      await loaders[name]();
      attempts.push({ backend: name, ok: true });
      const versions: Record<string, string> = { node: process.versions.node, tfjs: tf.version.tfjs };
      return { name, tfBackend: tf.getBackend(), device: deviceOf(name), versions, attempts };
    } catch (err) {
      attempts.push({ backend: name, ok: false, reason: shortReason(err) });
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`);
}

function deviceOf(name: BackendName): string {
  if (name === 'node-gpu') return 'GPU (CUDA)';
  const os = require('node:os') as typeof import('node:os');
  const cpus = os.cpus();
  return `CPU ×${cpus.length}${cpus[0] ? ` (${cpus[0].model.trim()})` : ''}`;
}
