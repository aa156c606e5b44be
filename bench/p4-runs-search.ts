/**
 * P4 runs search: 10 000 runs (configs, tags, statuses, metric summaries) in one project, and
 * 20 concurrent clients calling the runs table's query (tRPC runs.search over HTTP, signed in
 * with a session cookie, the table's default columns) against the production web server. Each
 * client sends its next request when the last one answered (closed loop, like autocannon's
 * connections); p95 of the request latencies. Measured as deployed (the server keeps runs-table
 * answers until the project changes: server/services/search-cache.ts) and, for the row
 * P4-uncached, with that cache off, so every request runs the SQL.
 */
import { prisma } from '@/lib/db/client';
import type { BenchContext, BenchResult } from './types';
import { makePlace, makeRuns, percentile } from './support/seed';
import { signIn, startServer, trpcUrl } from './support/server';

/** Configs use ZRunConfig's own names; queries may use the aliases (params.lr, params.batch_size). */
export async function seed(place: Awaited<ReturnType<typeof makePlace>>, n: number): Promise<void> {
  await makeRuns(place, n);
  await prisma.$executeRaw`
    UPDATE "Run" SET
      config = jsonb_build_object(
        'paradigm', 'supervised',
        'optimizer', jsonb_build_object('name', (ARRAY['adam', 'sgd', 'rmsprop', 'adamw'])[1 + number % 4]),
        'learningRate', round((0.0001 * power(10, (number % 30) / 10.0))::numeric, 6),
        'batchSize', (ARRAY[16, 32, 64, 128, 256])[1 + number % 5],
        'epochs', 5 + number % 20,
        'dropout', (number % 7) / 10.0,
        'seed', number),
      tags = CASE number % 4 WHEN 0 THEN ARRAY['baseline'] WHEN 1 THEN ARRAY['cnn', 'augment'] WHEN 2 THEN ARRAY[]::text[] ELSE ARRAY['sweep-' || (number % 10)] END,
      status = (ARRAY['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'CANCELED', 'SUCCEEDED'])[1 + number % 5]::"RunStatus",
      backend = 'wasm',
      "createdAt" = now() - (number || ' minutes')::interval
    WHERE "projectId" = ${place.projectId}`;
  await prisma.$executeRaw`
    INSERT INTO "MetricSeries" ("runId", key, context, last, min, max, "lastStep", count)
    SELECT id, key, context, x, x * 0.8, x * 1.1, 20, 20
    FROM (
      SELECT r.id, m.key, m.context, CASE WHEN m.key = 'accuracy' THEN 0.5 + 0.5 * random() ELSE 2 * random() END AS x
      FROM "Run" r
      CROSS JOIN (VALUES ('accuracy', 'validation'), ('loss', 'validation'), ('accuracy', 'train'), ('loss', 'train'), ('accuracy', 'test')) AS m(key, context)
      WHERE r."projectId" = ${place.projectId}
    ) v`;
  await prisma.$executeRawUnsafe('ANALYZE');
}

/** `clients` closed-loop clients for `seconds`; every request's latency in ms. */
async function load(url: string, cookie: string, clients: number, seconds: number): Promise<{ latencies: number[]; errors: number; bytes: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        try {
          const res = await fetch(url, { headers: { cookie } });
          const body = await res.text();
          if (!res.ok) errors++;
          else {
            latencies.push(performance.now() - t0);
            bytes += body.length;
          }
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latencies, errors, bytes };
}

export default async function p4(ctx: BenchContext): Promise<BenchResult[]> {
  const n = ctx.quick ? 2000 : 10_000;
  const seconds = ctx.quick ? 5 : 20;
  const clients = 20;
  const place = await makePlace();
  const t0 = performance.now();
  await seed(place, n);
  ctx.log(`seeded ${n} runs in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  // The columns the runs table asks for by default (runs-explorer.tsx: validation and test
  // metrics, and the common hyperparameters).
  const columns = { metrics: ['val_accuracy', 'val_loss', 'test_accuracy'], params: ['learningRate', 'batchSize', 'epochs', 'optimizer.name'] };
  const queries = [
    {
      id: 'P4',
      what: 'filter + sort',
      input: {
        teamId: place.teamId,
        projectId: place.projectId,
        query: 'params.batch_size >= 64 and metrics.val_accuracy > 0.6',
        sort: [{ field: 'metrics.val_accuracy', dir: 'desc' }],
        page: 1,
        pageSize: 50,
        columns,
      },
      target: 100 as number | null,
      cache: true,
    },
    {
      id: 'P4-broad',
      what: 'broad filter sorted on a param',
      input: { teamId: place.teamId, projectId: place.projectId, query: 'status = succeeded', sort: [{ field: 'params.lr', dir: 'desc' }], page: 1, pageSize: 50, columns },
      target: null,
      cache: true,
    },
  ];
  // The same query with the server's runs-table cache off: every request runs the SQL, as when
  // runs in the project are logging or each client asks something different.
  queries.push({ ...queries[0]!, id: 'P4-uncached', what: 'filter + sort, cache off', target: null, cache: false });
  const rows: BenchResult[] = [];
  for (const cache of [true, false]) {
    if (!cache) process.env.DEEPBOARD_SEARCH_CACHE = '0';
    const server = await startServer(ctx.databaseUrl, ctx.log);
    try {
      const cookie = await signIn(server.url, place);
      for (const q of queries.filter((x) => x.cache === cache)) {
        const url = trpcUrl(server.url, 'runs.search', q.input);
        const probe = await fetch(url, { headers: { cookie } });
        const body = (await probe.json()) as { result?: { data?: { json?: { total?: number } } }; error?: unknown };
        if (!probe.ok) throw new Error(`runs.search answered HTTP ${probe.status}: ${JSON.stringify(body).slice(0, 200)}`);
        const total = body.result?.data?.json?.total;
        // A freshly started server compiles its hot paths during its first seconds of load: those
        // are not measured (the load test does the same).
        await load(url, cookie, clients, ctx.quick ? 1 : 5);
        // Alone (no queueing): the server's own time per request, for the profile.
        const alone: number[] = [];
        for (let i = 0; i < 20; i++) {
          const s = performance.now();
          await (await fetch(url, { headers: { cookie } })).text();
          alone.push(performance.now() - s);
        }
        const r = await load(url, cookie, clients, seconds);
        const p95 = percentile(r.latencies, 95);
        const rps = r.latencies.length / seconds;
        rows.push({
          id: q.id,
          name: `runs search (${q.what}), ${n.toLocaleString('en-US')} runs, ${clients} clients, p95`,
          value: p95,
          unit: 'ms',
          target: q.target,
          baseline: percentile(alone, 50),
          ratio: null,
          pass: q.target === null ? null : p95 <= q.target && r.errors === 0,
          note: `"${q.input.query}" sorted by ${q.input.sort[0]!.field} ${q.input.sort[0]!.dir}, ${total} matches, page of 50 with the runs table's default columns; ${rps.toFixed(0)} req/s, p50 ${percentile(r.latencies, 50).toFixed(0)} ms, ${r.errors} errors; baseline = one client alone (p50)${cache ? '' : '; runs-table cache off'}`,
        });
        ctx.log(`${q.id}: p95 ${p95.toFixed(0)} ms, ${rps.toFixed(0)} req/s, alone ${percentile(alone, 50).toFixed(0)} ms`);
      }
    } finally {
      await server.stop();
      delete process.env.DEEPBOARD_SEARCH_CACHE;
    }
  }
  return rows;
}
