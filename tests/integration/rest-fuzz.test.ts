import fc from 'fast-check';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { prisma } from '@/lib/db/client';
import { appRouter } from '@/server/api/root';
import type { PublicUser } from '@/server/services/users';
import { counter, FUZZ_RUNS, fuzzParams } from '../helpers/fuzz';
import { makeStoredRun, makeWorkspace } from '../helpers/factories';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fillRoute, findRouteFiles, loadHandlers, routeVariants, type HttpMethod, type RouteHandler } from '../helpers/rest-routes';

/**
 * Fuzzing every REST route (found by globbing app/api) and the tRPC endpoint with random JSON,
 * random bytes and random query strings, as the owner of the team the ids belong to (so access
 * checks pass and the payload reaches the handler). Every answer must be below 500, and every
 * refusal a 4xx whose JSON names the problem. See rest-isolation.test.ts for the session seam.
 */
const session = vi.hoisted(() => ({ user: null as PublicUser | null }));
vi.mock('@/server/auth/session', () => ({
  currentUser: async () => session.user,
  requireUser: async () => {
    if (!session.user) throw new Error('redirect to sign-in');
    return session.user;
  },
}));

const SKIPPED = new Set(['/api/auth/[...nextauth]']);
let ids: Record<string, string>;
let teamId: string;
/** The owner's API key, where API keys exist: key-only APIs (MLflow) get past authentication too. */
let ownerKey: string | null = null;

beforeAll(async () => {
  const a = await makeWorkspace({ project: 'Fuzz' });
  teamId = a.team.id;
  session.user = a.owner;
  const project = a.project;
  const run = await makeStoredRun(a, { number: 1, name: 'fuzz' });
  const cp = await prisma.checkpoint.create({ data: { runId: run.id, epoch: 1, kind: 'epoch', key: `teams/${teamId}/runs/${run.id}/checkpoints/none` } });
  ids = { teamId, projectId: project.id, experimentId: project.id, runId: run.id, run_id: run.id, checkpointId: cp.id };
  const keys = path.resolve(import.meta.dirname, '../../server/services/api-keys.ts');
  if (existsSync(keys)) {
    const { createApiKey } = (await import(/* @vite-ignore */ pathToFileURL(keys).href)) as { createApiKey: (a: { userId: string; teamId: string; name: string }) => Promise<{ key: string }> };
    ownerKey = (await createApiKey({ userId: a.owner.id, teamId, name: 'fuzz' })).key;
  }
});

afterAll(async () => {
  session.user = null;
  // Runs the fuzz may have queued must not reach another test file's worker.
  await prisma.run.updateMany({ where: { teamId, status: { in: ['QUEUED', 'RUNNING'] } }, data: { status: 'CANCELED', finishedAt: new Date() } });
});

const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 200 }),
  fc.string({ maxLength: 100 }),
  fc.constantFrom('', '{', 'null', '[]', '{"metrics":[{"key":"","value":"NaN","step":-1}]}', 'a,b\n1,2\n', 'PK\u0003\u0004'),
);
const queryValue = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('csv', 'json', 'image-zip', '-1', '1e309', 'NaN', '0', ''));
const query = fc.record({
  keepIds: fc.boolean(),
  extra: fc.dictionary(fc.constantFrom('teamId', 'kind', 'format', 'runs', 'filename', 'width', 'height', 'channels', 'fit', 'run_id', 'step', 'limit'), queryValue, { maxKeys: 4 }),
});
const contentType = fc.constantFrom('application/json', 'text/csv', 'application/octet-stream', 'multipart/form-data; boundary=x', '');

async function readError(res: Response): Promise<string> {
  const text = await res.text();
  if (res.status < 400) return '';
  try {
    // Deepboard's { error: { code, message } }, or MLflow's { error_code, message } on /api/2.0/mlflow.
    const json = JSON.parse(text) as { error?: { message?: unknown }; message?: unknown };
    const message = json.error?.message ?? json.message;
    return typeof message === 'string' ? message : '';
  } catch {
    return '';
  }
}

describe('REST payload fuzzing', () => {
  const routes = findRouteFiles().filter((r) => !SKIPPED.has(r.pattern) && r.pattern !== '/api/trpc/[trpc]');

  it.each(routes.map((r) => [r.pattern, r] as const))('%s answers random payloads below 500, refusals with a message', async (_p, route) => {
    const handlers = Object.entries(await loadHandlers(route)) as [HttpMethod, RouteHandler][];
    const variants = await routeVariants(route, ids);
    const cases = counter();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...handlers), fc.constantFrom(...variants), body, query, contentType, fc.boolean(), async ([method, handler], values, payload, q, type, byKey) => {
        cases.tick();
        const { url, params } = fillRoute(route, values, ids.runId!);
        const search = new URLSearchParams({ ...(q.keepIds ? ids : {}), ...q.extra });
        const headers = new Headers(type ? { 'content-type': type } : {});
        if (byKey && ownerKey) headers.set('authorization', `Bearer ${ownerKey}`);
        const init: RequestInit = method === 'GET' ? { method, headers } : { method, headers, body: payload };
        const res = await handler(new Request(`http://fuzz.test${url}?${search}`, init), { params: Promise.resolve(params) });
        const what = `${method} ${url}?${search} → ${res.status}`;
        expect(res.status, what).toBeLessThan(500);
        const message = await readError(res);
        if (res.status >= 400) expect(message, what).toMatch(/^[^\n]{3,}$/);
      }),
      // Payloads matter for handlers that take a body; read-only routes get a fifth of the cases.
      fuzzParams(handlers.some(([m]) => m !== 'GET') ? FUZZ_RUNS : Math.ceil(FUZZ_RUNS / 5)),
    );
    expect(cases.count).toBeGreaterThanOrEqual(handlers.some(([m]) => m !== 'GET') ? FUZZ_RUNS : Math.ceil(FUZZ_RUNS / 5));
  });

  it('/api/trpc answers random procedures and inputs below 500', async () => {
    const route = findRouteFiles().find((r) => r.pattern === '/api/trpc/[trpc]')!;
    const { GET, POST } = await loadHandlers(route);
    const procs = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>).filter(([, p]) => p._def.type !== 'subscription');
    const input = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc
        .dictionary(fc.constantFrom('teamId', 'projectId', 'runId', 'name', 'config', 'limit', 'cursor', 'keys', 'query'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
        .map((o) => ({ teamId, ...o })),
    );
    const cases = counter();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...procs), fc.constant(['no.such.procedure', { _def: { type: 'query' } }] as const)),
        input,
        fc.boolean(),
        fc.boolean(),
        async ([name, p], value, wrap, raw) => {
          cases.tick();
          const encoded = raw ? '{"json":' : JSON.stringify(wrap ? superjson.serialize(value) : value);
          const res =
            p._def.type === 'query'
              ? await GET!(new Request(`http://fuzz.test/api/trpc/${name}?input=${encodeURIComponent(encoded)}`), { params: Promise.resolve({ trpc: name }) })
              : await POST!(new Request(`http://fuzz.test/api/trpc/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encoded }), {
                  params: Promise.resolve({ trpc: name }),
                });
          const text = await res.text();
          expect(res.status, `${name} ${encoded.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
        },
      ),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });
});
