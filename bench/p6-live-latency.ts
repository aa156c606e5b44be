/**
 * P6 live latency: a metric handed to the worker's write path (MetricBuffer.add, as the training
 * hooks do; its 250 ms batching included) → the event received by a client subscribed to
 * runs.live over SSE (tRPC httpSubscriptionLink's wire format) on `next start`: Postgres
 * NOTIFY → the server's LISTEN hub → the subscription's stream. p95 over spaced writes.
 */
import { prisma } from '@/lib/db/client';
import { MetricBuffer } from '@/lib/tracking/metrics';
import type { BenchContext, BenchResult } from './types';
import { makePlace, makeRuns, percentile } from './support/seed';
import { signIn, startServer, trpcUrl } from './support/server';

/** Reads SSE `data:` payloads from a streaming response and hands each parsed one to `onEvent`. */
async function readSse(res: Response, onEvent: (data: unknown) => void): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      try {
        onEvent(JSON.parse(data));
      } catch {
        // not JSON: ignored
      }
    }
  }
}

export default async function p6(ctx: BenchContext): Promise<BenchResult[]> {
  const samples = ctx.quick ? 10 : 40;
  const place = await makePlace();
  const [runId] = await makeRuns(place, 1, { status: 'RUNNING' });
  const server = await startServer(ctx.databaseUrl, ctx.log);
  const abort = new AbortController();
  try {
    const cookie = await signIn(server.url, place);
    const res = await fetch(trpcUrl(server.url, 'runs.live', { teamId: place.teamId, runId }), {
      headers: { cookie, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (!res.ok || !res.headers.get('content-type')?.includes('text/event-stream')) {
      throw new Error(`runs.live answered HTTP ${res.status} (${res.headers.get('content-type')})`);
    }
    let hello: () => void;
    const helloSeen = new Promise<void>((r) => (hello = r));
    let waiting: ((t: number) => void) | null = null;
    const reading = readSse(res, (data) => {
      const json = (data as { json?: { type?: string } }).json ?? (data as { type?: string });
      if (json?.type === 'hello') hello();
      if (json?.type === 'metrics' && waiting) {
        const w = waiting;
        waiting = null;
        w(performance.now());
      }
    }).catch(() => {});
    await Promise.race([helloSeen, new Promise((_, rej) => setTimeout(() => rej(new Error('no hello event from runs.live within 10 s')), 10_000))]);

    const buffer = new MetricBuffer(prisma, runId!);
    const latencies: number[] = [];
    for (let i = 0; i < samples + 2; i++) {
      const got = new Promise<number>((resolve, reject) => {
        waiting = resolve;
        setTimeout(() => reject(new Error(`no metrics event within 10 s (sample ${i})`)), 10_000);
      });
      const t0 = performance.now();
      buffer.add({ key: 'loss', step: i, value: 1 / (i + 1), epoch: 0 });
      const t1 = await got;
      if (i >= 2) latencies.push(t1 - t0); // the first two warm the server's routes and LISTEN connection
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
    }
    await buffer.flush();
    abort.abort();
    await reading;
    const p95 = percentile(latencies, 95);
    return [
      {
        id: 'P6',
        name: 'live latency: worker write path → runs.live SSE event, p95',
        value: p95,
        unit: 'ms',
        target: 1000,
        baseline: null,
        ratio: null,
        pass: p95 <= 1000,
        note: `${latencies.length} metrics, one SSE subscriber; p50 ${percentile(latencies, 50).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms (MetricBuffer's 250 ms batching included)`,
      },
    ];
  } finally {
    abort.abort();
    await server.stop();
  }
}
