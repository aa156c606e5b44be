import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { makeStoredRun, makeWorkspace } from '../helpers/factories';
import { ensureBuilt, startWebServer, type WebServer } from './helpers';

/**
 * (d) Load: LOGGERS concurrent metric loggers (default 200: 20 runs × 10 keys) post batches to
 * `POST /api/v1/runs/{runId}/log-batch` with Bearer API keys, each sending its next batch as soon
 * as the last is answered (no think time), for WARMUP (default 5) + SECONDS (default 60) against
 * the production server. Every acknowledged point, warm-up included, must be in the database
 * (lost = 0), no request may fail, and p99 latency over the SECONDS after warm-up must stay
 * ≤ 500 ms. Prints throughput, p50 / p99 (and per 5 s window) and the server's CPU per request.
 *
 * Needs the REST API (server/services/api-keys.ts and the log-batch route); skipped without it.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
const ROUTE = path.join(root, 'app/api/v1/runs/[runId]/log-batch/route.ts');
const KEYS = path.join(root, 'server/services/api-keys.ts');
const available = existsSync(ROUTE) && existsSync(KEYS);

const PORT = Number(process.env.CHAOS_LOAD_PORT ?? 3235);
const LOGGERS = Number(process.env.CHAOS_LOGGERS ?? 200);
const SECONDS = Number(process.env.CHAOS_LOAD_SECONDS ?? 60);
const RUNS = Math.max(1, Math.round(LOGGERS / 10));
const BATCH = 10;
// The first seconds (a cold server: JIT, the pool's connections, prepared statements) are load
// too, and their points are checked like the rest, but latency is measured on the warm server.
const WARMUP = Number(process.env.CHAOS_LOAD_WARMUP ?? 5);

let server: WebServer | null = null;
afterAll(async () => {
  await server?.stop();
});

/** CPU milliseconds (user + system) a process has used, from /proc (Linux; NaN elsewhere). Clock ticks are 1/100 s on Linux. */
/** CPU time (ms) of a process and its children: the web server runs a copy per core (bin/web.mjs). */
function cpuMs(pid: number | undefined): number {
  const own = (p: string) => {
    const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { ppid: fields[1]!, ms: (Number(fields[11]) + Number(fields[12])) * 10 };
  };
  try {
    let total = own(String(pid)).ms;
    for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const s = own(p);
        if (s.ppid === String(pid)) total += s.ms;
      } catch {
        // gone meanwhile
      }
    }
    return total;
  } catch {
    return NaN;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

describe('load', () => {
  it.skipIf(!available)(`(d) ${LOGGERS} concurrent metric loggers for ${SECONDS} s: no point lost, p99 ≤ 500 ms`, async () => {
    const { createApiKey } = (await import(/* @vite-ignore */ pathToFileURL(KEYS).href)) as {
      createApiKey: (a: { userId: string; teamId: string; name: string }) => Promise<{ id: string; key: string }>;
    };
    const loadBefore = os.loadavg()[0]!;
    await ensureBuilt();
    const t = await makeWorkspace({ project: 'Load' });
    const runs: Array<{ id: string }> = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await makeStoredRun(t, { number: i + 1, name: `load-${i}`, source: 'external', status: 'RUNNING' }));
    }
    const { key } = await createApiKey({ userId: t.owner.id, teamId: t.team.id, name: 'load test' });
    server = await startWebServer(PORT);

    const latencies: number[] = [];
    const timeline: Array<[number, number]> = [];
    const failures: string[] = [];
    const acked = new Map<string, number>(); // `${runId}/${key}` → points acknowledged
    const measureFrom = Date.now() + WARMUP * 1000;
    const end = measureFrom + SECONDS * 1000;
    const warmup: number[] = [];
    const logger = async (i: number) => {
      const runId = runs[i % RUNS]!.id;
      const metric = `load_${Math.floor(i / RUNS)}`;
      let step = 0;
      while (Date.now() < end) {
        const metrics = Array.from({ length: BATCH }, () => ({ key: metric, value: Math.sin(step), step: step++, timestamp: Date.now() }));
        const started = performance.now();
        try {
          const res = await fetch(`${server!.url}/api/v1/runs/${runId}/log-batch`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ metrics }),
          });
          await res.arrayBuffer();
          const ms = performance.now() - started;
          if (Date.now() - ms < measureFrom) warmup.push(ms);
          else {
            latencies.push(ms);
            timeline.push([Date.now(), ms]);
          }
          if (res.ok) acked.set(`${runId}/${metric}`, (acked.get(`${runId}/${metric}`) ?? 0) + BATCH);
          else failures.push(`HTTP ${res.status}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    const cpuBefore = cpuMs(server.child.pid);
    const running = Promise.all(Array.from({ length: LOGGERS }, (_, i) => logger(i)));
    await new Promise((r) => setTimeout(r, Math.max(0, measureFrom - Date.now())));
    const started = Date.now();
    await running;
    const seconds = (Date.now() - started) / 1000;
    const serverCpu = cpuMs(server.child.pid) - cpuBefore;

    const stored = await prisma.$queryRaw<Array<{ runId: string; key: string; n: number }>>`
      SELECT s."runId", s.key, count(p.*)::int AS n FROM "MetricSeries" s JOIN "MetricPoint" p ON p."seriesId" = s.id
      WHERE s."runId" = ANY(${runs.map((r) => r.id)}::text[]) GROUP BY s."runId", s.key`;
    const have = new Map(stored.map((r) => [`${r.runId}/${r.key}`, r.n]));
    let lost = 0;
    let total = 0;
    for (const [k, n] of acked) {
      total += n;
      lost += Math.max(0, n - (have.get(k) ?? 0));
    }
    for (let w = 0; w < SECONDS; w += 5) {
      const win = timeline
        .filter(([at]) => at >= started + w * 1000 && at < started + (w + 5) * 1000)
        .map(([, ms]) => ms)
        .sort((a, b) => a - b);
      if (win.length)
        console.log(
          `[chaos] load window ${w}-${w + 5} s: ${win.length} requests, p50 ${percentile(win, 50).toFixed(0)} ms, p99 ${percentile(win, 99).toFixed(0)} ms, max ${win.at(-1)!.toFixed(0)} ms`,
        );
    }
    const warm = [...warmup].sort((a, b) => a - b);
    if (warm.length)
      console.log(`[chaos] load warm-up ${WARMUP} s (not in the figures below): ${warm.length} requests, p50 ${percentile(warm, 50).toFixed(0)} ms, p99 ${percentile(warm, 99).toFixed(0)} ms`);
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    console.log(
      `[chaos] load: ${LOGGERS} loggers × ${seconds.toFixed(0)} s: ${latencies.length} requests (${(latencies.length / seconds).toFixed(0)}/s), ` +
        `${total} points acknowledged (${(total / seconds).toFixed(0)} points/s), lost ${lost}, failed requests ${failures.length}; latency p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms; ` +
        `server CPU ${(serverCpu / latencies.length).toFixed(2)} ms/request`,
    );
    expect(
      failures.slice(0, 5),
      server
        .output()
        .split('\n')
        .filter((l) => /error|Error/.test(l))
        .slice(0, 10)
        .join('\n'),
    ).toEqual([]);
    expect(lost).toBe(0);
    // Latency is a property of the server, not of a machine other jobs saturate: when the load
    // average before this test (its own server and loggers raise it) was over twice the cores,
    // the figures are printed but the bound is not asserted.
    const load = loadBefore;
    if (load > os.cpus().length * 2) console.log(`[chaos] load: latency bound not asserted — load average ${load.toFixed(1)} on ${os.cpus().length} cores before the test`);
    else expect(p99).toBeLessThanOrEqual(Number(process.env.CHAOS_P99_MS ?? 500));
  });

  it.runIf(!available)('is skipped: the REST batch endpoint (app/api/v1/runs/[runId]/log-batch) and API keys are not in this build yet', () => {
    expect(available).toBe(false);
  });
});
