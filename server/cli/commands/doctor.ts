import os from 'node:os';
import pg from 'pg';
import * as tf from '@tensorflow/tfjs';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import { migrationStatus } from '@/lib/db/migrate';
import { settingsFrom } from '@/lib/env';
import { dataDir } from '@/lib/paths';
import { adapterLabel, type BackendName, type GpuAdapter } from '@/lib/schemas/backends';
import { ZRunConfig } from '@/lib/schemas/runs';
import { BACKEND_ORDER, loadBestBackend, probeWebgpu } from '@/worker/backend';
import { measureTraining } from '@/worker/training/autotune';
import { runningEmbeddedUrl } from '../../db/resolve';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand, type CliIO } from '../types';
import { ignoreError } from '@/lib/log';

/**
 * `deepboard doctor`: what this machine can train with and whether it reaches the database —
 * every backend and whether it loads (with the reason when not), the GPU adapters WebGPU sees,
 * Postgres reachability, and a short training micro-benchmark per backend that loads.
 */

export interface DoctorBackend {
  backend: BackendName;
  loads: boolean;
  reason?: string;
  /** tf.getBackend() name. */
  tfBackend?: string;
  device?: string;
  /** The worker's default (first that loads); autotuning still picks per run. */
  default?: boolean;
  bench?: { model: string; batchSize: number; msPerBatch: number; samplesPerSec: number; batchesTimed: number } | { error: string };
}

export interface DoctorReport {
  host: { hostname: string; platform: string; arch: string; cpus: number; cpuModel: string; memoryGb: number };
  versions: { node: string; tfjs: string };
  backends: DoctorBackend[];
  gpuAdapters: GpuAdapter[];
  webgpuProbe: { ms: number; reason?: string };
  database: { source: 'DATABASE_URL' | 'embedded'; url?: string; reachable: boolean | null; server?: string; error?: string; migrations?: { applied: number; pending: number }; note?: string };
}

/** The micro-benchmark: an MLP 64→256→256→10 trained on random data at batch 256. */
const BENCH_SPEC = ZArchitectureSpec.parse({
  kind: 'sequential',
  layers: [
    { type: 'input', shape: [64] },
    { type: 'dense', units: 256, activation: 'relu' },
    { type: 'dense', units: 256, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
});
const BENCH_BATCH = 256;

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

async function checkDatabase(env: NodeJS.ProcessEnv): Promise<DoctorReport['database']> {
  let url = settingsFrom(env).DATABASE_URL;
  let source: 'DATABASE_URL' | 'embedded' = 'DATABASE_URL';
  if (!url) {
    source = 'embedded';
    const running = await runningEmbeddedUrl(dataDir()).catch(() => null);
    if (!running) {
      return { source, reachable: null, note: `DATABASE_URL is not set: \`deepboard start\` would start the embedded PostgreSQL in ${dataDir()}/postgres (not running now)` };
    }
    url = running;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const v = await client.query<{ server_version: string }>('SHOW server_version');
    const status = await migrationStatus(url).catch(() => null);
    return {
      source,
      url: redact(url),
      reachable: true,
      server: `PostgreSQL ${v.rows[0]!.server_version}`,
      ...(status ? { migrations: { applied: status.applied.length, pending: status.pending.length } } : {}),
      ...(source === 'embedded' ? { note: 'the embedded PostgreSQL of `deepboard start` is running' } : {}),
    };
  } catch (err) {
    return { source, url: redact(url), reachable: false, error: (err as Error).message.split('\n')[0]!.slice(0, 200) };
  } finally {
    await client.end().catch(ignoreError('the check is over; a connection that never opened has nothing to end'));
  }
}

export async function runDoctor(opts: { env: NodeJS.ProcessEnv; benchSeconds: number }): Promise<DoctorReport> {
  const probe = await probeWebgpu();
  const loaded = await loadBestBackend('auto').catch(() => null);
  const backends: DoctorBackend[] = BACKEND_ORDER.map((name) => {
    const attempt = loaded?.attempts.find((a) => a.backend === name);
    const available = loaded?.available.find((b) => b.name === name);
    return available
      ? { backend: name, loads: true, tfBackend: available.tfBackend, device: available.device, default: loaded!.name === name }
      : { backend: name, loads: false, reason: attempt?.reason ?? 'not tried' };
  });
  if (opts.benchSeconds > 0 && loaded) {
    const x = tf.randomNormal([BENCH_BATCH * 8, 64], 0, 1, 'float32', 1);
    const y = tf.randomUniform([BENCH_BATCH * 8], 0, 10, 'int32', 2).cast('float32');
    const config = ZRunConfig.parse({ paradigm: 'supervised', batchSize: BENCH_BATCH, epochs: 1, loss: 'sparseCategoricalCrossentropy', metrics: [] });
    for (const b of backends.filter((b) => b.loads)) {
      try {
        const m = await measureTraining(b.tfBackend!, { spec: BENCH_SPEC, config, target: { task: 'multiclass', numClasses: 10 }, data: { x, y } }, { batches: 1000, maxMs: opts.benchSeconds * 1000 });
        b.bench = { model: 'MLP 64-256-256-10', batchSize: BENCH_BATCH, msPerBatch: round(m.msPerBatch), samplesPerSec: Math.round((BENCH_BATCH * 1000) / m.msPerBatch), batchesTimed: m.batchesTimed };
      } catch (err) {
        b.bench = { error: (err as Error).message.split('\n')[0]!.slice(0, 200) };
      }
    }
    tf.dispose([x, y]);
  }
  const cpus = os.cpus();
  return {
    host: { hostname: os.hostname(), platform: os.platform(), arch: os.arch(), cpus: cpus.length, cpuModel: cpus[0]?.model.trim() ?? 'unknown', memoryGb: Math.round(os.totalmem() / 1024 ** 3) },
    versions: { node: process.versions.node, tfjs: tf.version.tfjs },
    backends,
    gpuAdapters: probe.adapter ? [probe.adapter] : [],
    webgpuProbe: { ms: probe.ms, ...(probe.reason ? { reason: probe.reason } : {}) },
    database: await checkDatabase(opts.env),
  };
}

const round = (v: number) => Math.round(v * 100) / 100;

export function formatDoctor(r: DoctorReport): string {
  const lines = [
    `deepboard doctor — ${r.host.hostname}: ${r.host.platform} ${r.host.arch}, ${r.host.cpus} × ${r.host.cpuModel}, ${r.host.memoryGb} GB; node ${r.versions.node}, tfjs ${r.versions.tfjs}`,
    '',
    'Backends (preference order; with `auto`, each run times the ones that load and takes the fastest):',
  ];
  for (const b of r.backends) {
    const bench = b.bench
      ? 'error' in b.bench
        ? `benchmark failed: ${b.bench.error}`
        : `${b.bench.model} training at batch ${b.bench.batchSize}: ${b.bench.samplesPerSec.toLocaleString('en-US')} samples/s (${b.bench.msPerBatch} ms/batch)`
      : '';
    lines.push(
      b.loads
        ? `  ${b.backend.padEnd(9)} loads     ${b.device}${b.default ? ' [default]' : ''}${bench ? `\n  ${''.padEnd(9)}           ${bench}` : ''}`
        : `  ${b.backend.padEnd(9)} no        ${b.reason}`,
    );
  }
  lines.push('', `GPU adapters (WebGPU probe, ${r.webgpuProbe.ms} ms):`);
  if (r.gpuAdapters.length) for (const a of r.gpuAdapters) lines.push(`  ${adapterLabel(a)} — ${a.description}`);
  else lines.push(`  none (${r.webgpuProbe.reason ?? 'no adapter'})`);
  lines.push('', 'Database:');
  const d = r.database;
  if (d.reachable === null) lines.push(`  ${d.note}`);
  else if (d.reachable) {
    lines.push(
      `  ${d.source === 'DATABASE_URL' ? 'DATABASE_URL' : 'embedded'} ${d.url}: reachable, ${d.server}${d.migrations ? `; migrations ${d.migrations.applied} applied, ${d.migrations.pending} pending` : ''}`,
    );
    if (d.note) lines.push(`  ${d.note}`);
  } else lines.push(`  ${d.source === 'DATABASE_URL' ? 'DATABASE_URL' : 'embedded'} ${d.url}: NOT reachable (${d.error})`);
  return lines.join('\n');
}

export const doctorCommand: CliCommand = {
  path: ['doctor'],
  summary: 'Check this machine: TensorFlow.js backends and why some do not load, GPU adapters, the database, a short training benchmark per backend',
  usage: 'deepboard doctor [--json] [--seconds S (benchmark time per backend, default 2; 0 skips it)]',
  async run(argv, io: CliIO) {
    const { values } = parseCommandArgs(argv, { json: { type: 'boolean' }, seconds: { type: 'string' } }, this.usage);
    const seconds = values.seconds === undefined ? 2 : Number(values.seconds);
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > 60) throw new UsageError(`--seconds must be a number from 0 to 60 (got "${values.seconds}")`);
    const report = await runDoctor({ env: io.env, benchSeconds: seconds });
    io.stdout(values.json ? JSON.stringify(report) : formatDoctor(report));
    const ok = report.backends.some((b) => b.loads) && report.database.reachable !== false;
    return ok ? 0 : 1;
  },
};
