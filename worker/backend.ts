import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './backends/wasm-kernels';
import { env } from '@/lib/env';
import { BACKEND_NAMES, type BackendName, type GpuAdapter, adapterLabel } from '@/lib/schemas/backends';

/**
 * TensorFlow.js backend loading. Preference: tfjs-node-gpu → webgpu (Dawn over Vulkan, when a GPU
 * adapter is found) → tfjs-node (native libtensorflow; optional dependencies, absent where their
 * install could not download it) → wasm → cpu.
 *
 * DEEPBOARD_BACKEND (lib/env.ts) pins the worker to one of them; `auto` (default) loads every one that loads,
 * makes the first the default, and leaves the per-run choice to autotuning
 * (worker/training/autotune.ts). Each attempt is recorded with its reason, for the worker row and
 * `deepboard doctor`.
 */

export type { BackendName } from '@/lib/schemas/backends';
export const BACKEND_ORDER: readonly BackendName[] = BACKEND_NAMES;

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  reason?: string;
}

export interface AvailableBackend {
  name: BackendName;
  /** tf.getBackend() name: tensorflow, webgpu, wasm, cpu. */
  tfBackend: string;
  device: string;
}

export interface LoadedBackend {
  /** The default backend (the first that loaded, or the pinned one). */
  name: BackendName;
  /** tf.getBackend() after loading: tensorflow, webgpu, wasm, cpu. */
  tfBackend: string;
  device: string;
  versions: Record<string, string>;
  attempts: BackendAttempt[];
  /** Every backend that loaded, in preference order (the default first). */
  available: AvailableBackend[];
  /** The GPU adapter WebGPU found, when it found one. */
  adapter: GpuAdapter | null;
}

const require = createRequire(import.meta.url);

function shortReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find (module|package)/.test(msg)) return 'not installed';
  return msg.split('\n')[0]!.slice(0, 200);
}

// ---------------------------------------------------------------------------------------------
// WebGPU: probed in a child process, so Dawn's messages on a host without a driver never reach
// our stdout/stderr and a hung driver cannot hang the worker.

export interface WebgpuProbe {
  adapter: GpuAdapter | null;
  /** Why there is none: not installed, no Vulkan loader, no driver, timeout. */
  reason?: string;
  ms: number;
}

const PROBE_SCRIPT = `
const { create } = await import(process.argv[1]);
const gpu = create([]);
const a = await gpu.requestAdapter();
const i = a && a.info;
process.stdout.write(JSON.stringify(i ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description } : null));
process.exit(0);
`;

function webgpuEntry(): string | null {
  try {
    return require.resolve('webgpu');
  } catch {
    return null;
  }
}

/** Why Dawn found no adapter, from what it printed. */
export function probeFailureReason(stderr: string): string {
  const vulkan = /Couldn't load Vulkan: ([^:\n]+)/.exec(stderr);
  if (vulkan) return `no GPU adapter: the Vulkan loader (${vulkan[1]!.trim()}) is not installed`;
  if (/vk_icdGetInstanceProcAddr|Found no drivers/.test(stderr))
    return 'no GPU adapter: Vulkan found no usable driver (on NVIDIA hosts install the glvnd libraries and point VK_DRIVER_FILES at nvidia_icd.json)';
  return 'no GPU adapter found';
}

function nvidiaDriverVersion(): string | undefined {
  const r = spawnSync('nvidia-smi', ['--query-gpu=driver_version', '--format=csv,noheader'], { encoding: 'utf8', timeout: 2000 });
  const v = r.status === 0 ? r.stdout.trim().split('\n')[0]?.trim() : '';
  return v || undefined;
}

let probeCache: Promise<WebgpuProbe> | null = null;

/** Whether WebGPU finds a GPU adapter here; cached per process. DEEPBOARD_WEBGPU=0 skips it. */
export function probeWebgpu(opts: { timeoutMs?: number; fresh?: boolean } = {}): Promise<WebgpuProbe> {
  if (!probeCache || opts.fresh) probeCache = runProbe(opts.timeoutMs ?? 10_000);
  return probeCache;
}

async function runProbe(timeoutMs: number): Promise<WebgpuProbe> {
  const started = performance.now();
  const done = (adapter: GpuAdapter | null, reason?: string): WebgpuProbe => ({ adapter, reason, ms: Math.round(performance.now() - started) });
  if (!env().DEEPBOARD_WEBGPU) return done(null, 'switched off (DEEPBOARD_WEBGPU=0)');
  const entry = webgpuEntry();
  if (!entry) return done(null, 'not installed');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE_SCRIPT, pathToFileURL(entry).href], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_RUNTIME_DIR: env().XDG_RUNTIME_DIR ?? os.tmpdir() },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(done(null, `the GPU adapter probe did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(done(null, shortReason(e)));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      let info: Omit<GpuAdapter, 'driver'> | null = null;
      try {
        info = JSON.parse(out) as Omit<GpuAdapter, 'driver'> | null;
      } catch {
        resolve(done(null, code === 0 ? 'the GPU adapter probe printed nothing' : `the GPU adapter probe failed (exit ${code}): ${err.trim().split('\n')[0]?.slice(0, 160) ?? ''}`));
        return;
      }
      if (!info) {
        resolve(done(null, probeFailureReason(err)));
        return;
      }
      const driver = /nvidia/i.test(`${info.vendor} ${info.description}`) ? nvidiaDriverVersion() : undefined;
      resolve(done({ ...info, ...(driver ? { driver } : {}) }));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Loaders

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<void> {
  // The native packages register the 'tensorflow' backend on import.
  require(pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
}

async function tryWebgpu(): Promise<GpuAdapter> {
  const probe = await probeWebgpu();
  if (!probe.adapter) throw new Error(probe.reason ?? 'no GPU adapter found');
  const { create, globals } = (await import('webgpu')) as { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
  Object.assign(globalThis, globals);
  const gpu = create([]);
  // tfjs-backend-webgpu registers itself at import time only if navigator.gpu exists.
  const nav = (globalThis as unknown as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not initialise');
  return probe.adapter;
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
  // Its first tensor prints a banner recommending tfjs-node to stdout; we list backends ourselves.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}

export const TF_BACKEND_OF: Record<BackendName, string> = { 'node-gpu': 'tensorflow', webgpu: 'webgpu', node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

/** Our name for a tf.getBackend() name, given what this process loaded. */
export function backendNameOf(tfBackend: string, loaded: Pick<LoadedBackend, 'available'>): BackendName | null {
  return loaded.available.find((b) => b.tfBackend === tfBackend)?.name ?? null;
}

/**
 * Loads the pinned backend, or (auto) every backend that loads here, and makes the first the
 * active one. Throws when none loads.
 */
export async function loadBestBackend(preference: BackendName | 'auto' = 'auto'): Promise<LoadedBackend> {
  const order = preference === 'auto' ? BACKEND_ORDER : [preference];
  const attempts: BackendAttempt[] = [];
  const available: AvailableBackend[] = [];
  let adapter: GpuAdapter | null = null;
  for (const name of order) {
    if (name === 'node' && available.some((b) => b.name === 'node-gpu')) {
      attempts.push({ backend: name, ok: false, reason: 'tfjs-node-gpu already provides the tensorflow backend' });
      continue;
    }
    try {
      if (name === 'webgpu') adapter = await tryWebgpu();
      else if (name === 'node-gpu' || name === 'node') await tryNative(name === 'node' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu');
      else if (name === 'wasm') await tryWasm();
      else await tryCpu();
      attempts.push({ backend: name, ok: true });
      available.push({ name, tfBackend: tf.getBackend(), device: deviceOf(name, adapter) });
    } catch (err) {
      attempts.push({ backend: name, ok: false, reason: shortReason(err) });
    }
  }
  const first = available[0];
  if (!first) throw new Error(`no TensorFlow.js backend could be loaded: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`);
  await tf.setBackend(first.tfBackend);
  const versions: Record<string, string> = { node: process.versions.node, tfjs: tf.version.tfjs };
  return { name: first.name, tfBackend: first.tfBackend, device: first.device, versions, attempts, available, adapter };
}

export function deviceOf(name: BackendName, adapter: GpuAdapter | null = null): string {
  if (name === 'node-gpu') return 'GPU (CUDA)';
  if (name === 'webgpu' && adapter) return adapterLabel(adapter);
  const cpus = os.cpus();
  return `CPU ×${cpus.length}${cpus[0] ? ` (${cpus[0].model.trim()})` : ''}`;
}

/** Identifies this machine and what it loaded, for the autotune cache (stable across restarts). */
export function workerKeyOf(loaded: Pick<LoadedBackend, 'available' | 'adapter'>): string {
  return [os.hostname(), loaded.available.map((b) => b.name).join(','), loaded.adapter ? adapterLabel(loaded.adapter) : ''].filter(Boolean).join('|');
}
