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
import { startServer } from './support/server';
import { createApiKey } from '@/server/services/api-keys';

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

/**
 * The REST batch endpoint (POST /api/v1/runs/{id}/log-batch with an API key) on the production
 * web server, in the same 5 000-point batches, sent one after another like a logging client's
 * flushes (the bodies are built beforehand: this measures the server, not the client's JSON).
 */
async function viaRest(ctx: BenchContext, place: Awaited<ReturnType<typeof makePlace>>): Promise<{ rate: number; points: number; requests: number }> {
  const points = ctx.quick ? 50_000 : 200_000;
  const server = await startServer(ctx.databaseUrl, ctx.log);
  try {
    const { key } = await createApiKey({ userId: place.userId, teamId: place.teamId, name: 'bench' });
    const bodiesFor = (n: number) => {
      const out: string[] = [];
      for (let s = 0; s < n / KEYS.length; s += 500) out.push(JSON.stringify({ metrics: batchOf(s, 500).map((p) => ({ key: p.key, value: p.value, step: p.step, context: p.context })) }));
      return out;
    };
    const post = async (runId: string, body: string) => {
      const res = await fetch(`${server.url}/api/v1/runs/${runId}/log-batch`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
      if (!res.ok) throw new Error(`log-batch answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      await res.arrayBuffer();
    };
    const [warm, run] = await makeRuns(place, 2, { status: 'RUNNING' });
    await prisma.run.updateMany({ where: { id: { in: [warm!, run!] } }, data: { source: 'external' } });
    for (const b of bodiesFor(50_000)) await post(warm!, b);
    const bodies = bodiesFor(points);
    const t0 = performance.now();
    for (const b of bodies) await post(run!, b);
    const rate = points / ((performance.now() - t0) / 1000);
    const stored = await prisma.metricPoint.count({ where: { series: { runId: run! } } });
    if (stored !== points) throw new Error(`REST ingestion stored ${stored} of ${points} points`);
    return { rate, points, requests: bodies.length };
  } finally {
    await server.stop();
  }
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
    // The REST endpoint first, on the quiet database: after the rounds below, Postgres is still
    // writing out and vacuuming their 2 000 000 rows for a while.
    const rest = await viaRest(ctx, place);
    const totals = { write: 0, copy: 0, small: 0 };
    for (let r = 0; r < rounds; r++) {
      const [a, b] = await makeRuns(place, 2);
      totals.write += await viaWritePath(a!, perRound, 5000);
      totals.copy += await viaCopy(client, b!, perRound);
      ctx.log(
        `round ${r + 1}/${rounds}: write path ${((perRound * (r + 1)) / (totals.write / 1000)).toFixed(0)} points/s, COPY ${((perRound * (r + 1)) / (totals.copy / 1000)).toFixed(0)} points/s so far`,
      );
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
      name: 'ingestion: REST log-batch endpoint, 5 000-point batches vs COPY',
      value: Math.round(rest.rate),
      unit: 'points/s',
      target: 200_000,
      baseline: Math.round(copy),
      ratio: rest.rate / copy,
      pass: rest.rate >= 200_000 && rest.rate / copy >= 0.5,
      note: `${rest.points.toLocaleString('en-US')} points in ${rest.requests} HTTP requests with an API key (JSON parsed and validated, access checked, written by logMetrics), all stored; target as P2`,
    });
  } finally {
    await client.end();
  }
  return rows;
}
