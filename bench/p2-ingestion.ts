/**
 * P2 ingestion: metric points per second through the one write path (logMetrics, in the
 * batches MetricBuffer sends: up to 5 000 points) against raw COPY of the same points into the
 * same table. Rounds alternate (write path, COPY) on fresh series so both see the same table
 * and index sizes; the figure is total points ÷ total time per method.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { prisma } from '@/lib/db/client';
import { logMetrics, type MetricPointInput } from '@/lib/tracking/metrics';
import type { BenchContext, BenchResult } from './types';
import { makePlace, makeRuns } from './support/seed';

const KEYS = ['loss', 'accuracy', 'batch/loss', 'batch/accuracy', 'learning_rate', 'grad_norm', 'val_loss', 'val_accuracy', 'throughput', 'lr_scale'];

function batchOf(stepStart: number, steps: number): MetricPointInput[] {
  const out: MetricPointInput[] = [];
  for (let s = stepStart; s < stepStart + steps; s++) {
    for (let k = 0; k < KEYS.length; k++) out.push({ key: KEYS[k]!, context: 'train', step: s, value: Math.sin(s * 0.001 + k) + (s % 97 === 0 ? 10 : 0), epoch: s >> 10 });
  }
  return out;
}

async function viaWritePath(runId: string, points: number, batch: number): Promise<number> {
  const stepsPerBatch = batch / KEYS.length;
  const batches: MetricPointInput[][] = [];
  for (let s = 0; s < points / KEYS.length; s += stepsPerBatch) batches.push(batchOf(s, stepsPerBatch));
  const t0 = performance.now();
  for (const b of batches) await logMetrics(prisma, runId, b);
  return performance.now() - t0;
}

async function viaCopy(client: pg.Client, runId: string, points: number): Promise<number> {
  // The series rows exist first (COPY feeds only the points table).
  const ids = await prisma.$queryRaw<Array<{ id: bigint; key: string }>>`
    INSERT INTO "MetricSeries" ("runId", key, context) SELECT ${runId}, k, 'train' FROM unnest(${KEYS}::text[]) k RETURNING id, key`;
  const idOf = KEYS.map((k) => String(ids.find((r) => r.key === k)!.id));
  const now = new Date().toISOString();
  const steps = points / KEYS.length;
  function* lines() {
    let chunk = '';
    for (let s = 0; s < steps; s++) {
      for (let k = 0; k < KEYS.length; k++) chunk += `${idOf[k]}\t${s}\t${Math.sin(s * 0.001 + k) + (s % 97 === 0 ? 10 : 0)}\t${s >> 10}\t${now}\n`;
      if (chunk.length > 64_000) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  const t0 = performance.now();
  await pipeline(Readable.from(lines()), client.query(copyFrom('COPY "MetricPoint" ("seriesId", step, value, epoch, "wallTime") FROM STDIN')));
  return performance.now() - t0;
}

export default async function p2(ctx: BenchContext): Promise<BenchResult[]> {
  const rounds = ctx.quick ? 2 : 5;
  const perRound = ctx.quick ? 50_000 : 200_000;
  const place = await makePlace();
  const client = new pg.Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  const rows: BenchResult[] = [];
  try {
    // Warm-up (plans, connections, JIT of the serialisers).
    const [warm] = await makeRuns(place, 1);
    await viaWritePath(warm!, 20_000, 5000);
    const totals = { write: 0, copy: 0, small: 0 };
    for (let r = 0; r < rounds; r++) {
      const [a, b] = await makeRuns(place, 2);
      totals.write += await viaWritePath(a!, perRound, 5000);
      totals.copy += await viaCopy(client, b!, perRound);
      ctx.log(`round ${r + 1}/${rounds}: write path ${((perRound * (r + 1)) / (totals.write / 1000)).toFixed(0)} points/s, COPY ${((perRound * (r + 1)) / (totals.copy / 1000)).toFixed(0)} points/s so far`);
    }
    const [small] = await makeRuns(place, 1);
    const smallPoints = ctx.quick ? 10_000 : 50_000;
    totals.small = await viaWritePath(small!, smallPoints, 100);
    const n = rounds * perRound;
    const write = n / (totals.write / 1000);
    const copy = n / (totals.copy / 1000);
    const ratio = write / copy;
    rows.push({
      id: 'P2',
      name: 'ingestion: logMetrics in 5 000-point batches vs COPY',
      value: Math.round(write),
      unit: 'points/s',
      target: 200_000,
      baseline: Math.round(copy),
      ratio,
      pass: write >= 200_000 && ratio >= 0.5,
      note: `${n.toLocaleString('en-US')} points per method in ${rounds} alternating rounds, 10 series per run; target ≥ 200 000 points/s and ≥ 0.5 × COPY`,
    });
    const smallRate = smallPoints / (totals.small / 1000);
    rows.push({
      id: 'P2-small',
      name: 'ingestion: logMetrics in 100-point batches (informative)',
      value: Math.round(smallRate),
      unit: 'points/s',
      target: null,
      baseline: Math.round(copy),
      ratio: smallRate / copy,
      pass: null,
      note: 'a slow run flushing a few points every 250 ms; per-transaction cost dominates',
    });
    rows.push({
      id: 'P2-rest',
      name: 'ingestion: REST log-batch endpoint',
      value: NaN,
      unit: 'points/s',
      target: 200_000,
      baseline: Math.round(copy),
      ratio: null,
      pass: null,
      note: 'skipped: POST /api/v1/runs/{runId}/log-batch does not exist on this branch yet',
    });
  } finally {
    await client.end();
  }
  return rows;
}
