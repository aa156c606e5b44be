import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import superjson from 'superjson';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { prisma } from '@/lib/db/client';
import { logMetrics } from '@/lib/tracking/metrics';
import { appRouter } from '@/server/api/root';
import type { Meta } from '@/server/api/trpc';
import type { PublicUser } from '@/server/services/users';
import { addMember, makeProject, makeStoredRun, makeTeam, makeUser, uid } from '../helpers/factories';
import { fillRoute, findRouteFiles, loadHandlers, MUTATIONS, routeVariants, type HttpMethod, type RouteFile, type RouteHandler } from '../helpers/rest-routes';

/**
 * The REST isolation probe: every route handler under app/api (found by globbing, so new routes
 * are covered) is called with team A's ids anonymously, as a member of team B, and — for
 * mutations — as a VIEWER of team A, by session and, where API keys exist, by Bearer key. Every
 * call must be refused with a 4xx, and no response may carry anything of team A.
 *
 * next-auth cannot load inside vitest (it needs Next's request scope), so the session resolver
 * (server/auth/session.ts) is the one thing replaced: it returns the probe's current caller.
 * Handlers, services, the database and API-key checks are the real ones.
 */
const session = vi.hoisted(() => ({ user: null as PublicUser | null }));
vi.mock('@/server/auth/session', () => ({
  currentUser: async () => session.user,
  requireUser: async () => {
    if (!session.user) throw new Error('redirect to sign-in');
    return session.user;
  },
}));

const root = path.resolve(import.meta.dirname, '..', '..');
const SECRET = `probe-secret-${uid('a')}`;

/** Routes that are public by design, with why; they are still checked for leaks. */
const PUBLIC: Record<string, string> = {
  '/api/health': 'health check for load balancers: database, migrations, worker count; no team data',
  '/api/v1/openapi.json': 'the API description (OpenAPI document); no team data',
};
/** POST endpoints that only read (search APIs); a viewer may call them. Every other POST is a mutation. */
const READ_ONLY_POSTS = new Set(['/api/v1/runs/search', '/api/2.0/mlflow/runs/search']);
/** Endpoints that create something in the caller's own team from a name alone: they may succeed, as long as team A is untouched. */
const CREATE_IN_OWN_TEAM = new Set(['/api/2.0/mlflow/experiments/create']);

/** What an outsider must never change: team A's projects, runs, metric points, logs, params and run fields. */
async function fingerprint(teamId: string): Promise<string> {
  const rows = await prisma.$queryRaw<unknown[]>`
    SELECT (SELECT count(*) FROM "Project" WHERE "teamId" = ${teamId})::int AS projects,
           (SELECT count(*) FROM "Run" WHERE "teamId" = ${teamId})::int AS runs,
           (SELECT count(*) FROM "MetricPoint" p JOIN "MetricSeries" s ON s.id = p."seriesId" JOIN "Run" r ON r.id = s."runId" WHERE r."teamId" = ${teamId})::int AS points,
           (SELECT string_agg(r.name || r.status || r.notes || array_to_string(r.tags, ',') || r.config::text || coalesce(r."finishedAt"::text, ''), '|' ORDER BY r.id) FROM "Run" r WHERE r."teamId" = ${teamId}) AS runs_state`;
  return JSON.stringify(rows);
}
/** Routes this probe cannot call in-process, with why (each is covered elsewhere). */
const SKIPPED: Record<string, string> = {
  '/api/auth/[...nextauth]': "next-auth's own sign-in/session endpoints (need Next's request scope); covered by the e2e auth tests",
};

type Caller = { label: string; user: PublicUser | null; bearer?: string };

let ids: Record<string, string>;
let anonymous: Caller[];
let outsiders: Caller[];
let viewers: Caller[];
let apiKeysExist = false;

async function maybeApiKeys(): Promise<null | ((a: { userId: string; teamId: string; name: string }) => Promise<{ key: string }>)> {
  const file = path.join(root, 'server/services/api-keys.ts');
  if (!existsSync(file)) return null;
  const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { createApiKey?: (a: { userId: string; teamId: string; name: string }) => Promise<{ key: string }> };
  return mod.createApiKey ?? null;
}

beforeAll(async () => {
  const a = await makeTeam();
  await prisma.team.update({ where: { id: a.team.id }, data: { name: `${SECRET} team` } });
  const b = await makeTeam();
  const viewer = await addMember(a.team.id, 'VIEWER');
  const project = await makeProject(a, `${SECRET} project`);
  const run = await makeStoredRun({ ...a, project }, { number: 1, name: `${SECRET} run`, status: 'RUNNING' });
  await logMetrics(prisma, run.id, [{ key: `${SECRET}-metric`, step: 0, value: 0.123456789 }]);
  const cp = await prisma.checkpoint.create({ data: { runId: run.id, epoch: 1, kind: 'epoch', key: `teams/${a.team.id}/runs/${run.id}/checkpoints/epoch-1-a0` } });
  ids = {
    teamId: a.team.id,
    team_id: a.team.id,
    projectId: project.id,
    experimentId: project.id,
    experiment_id: project.id,
    runId: run.id,
    run_id: run.id,
    run_uuid: run.id,
    runs: run.id,
    checkpointId: cp.id,
    experiment_name: project.name,
    name: `${SECRET}-metric`,
    key: `${SECRET}-metric`,
  };
  const createApiKey = await maybeApiKeys();
  apiKeysExist = createApiKey !== null;
  anonymous = [
    { label: 'anonymous', user: null },
    { label: 'a made-up API key', user: null, bearer: 'db_not-a-real-key-0000000000000000' },
  ];
  outsiders = [{ label: 'a member of another team', user: b.owner }];
  viewers = [{ label: 'a viewer', user: viewer }];
  if (createApiKey) {
    outsiders.push({ label: "another team's API key", user: null, bearer: (await createApiKey({ userId: b.owner.id, teamId: b.team.id, name: 'probe' })).key });
    viewers.push({ label: "a viewer's API key", user: null, bearer: (await createApiKey({ userId: viewer.id, teamId: a.team.id, name: 'probe' })).key });
  }
});

async function call(handler: RouteHandler, method: HttpMethod, route: RouteFile, caller: Caller, values: Record<string, string> = ids) {
  const { url, params } = fillRoute(route, values, ids.runId!);
  const qs = new URLSearchParams(Object.entries(ids)).toString();
  const headers = new Headers({ 'content-type': 'application/json' });
  if (caller.bearer) headers.set('authorization', `Bearer ${caller.bearer}`);
  const body =
    method === 'GET' || method === 'DELETE'
      ? undefined
      : JSON.stringify({ ...ids, project: ids.projectId, name: 'probe', metrics: [{ key: 'x', value: 1, step: 0, timestamp: 0 }], value: 1, step: 0, timestamp: 0 });
  session.user = caller.user;
  try {
    const res = await handler(new Request(`http://probe.test${url}?${qs}`, { method, headers, body }), { params: Promise.resolve(params) });
    return { status: res.status, text: await res.text() };
  } finally {
    session.user = null;
  }
}

const routes = findRouteFiles();

describe('REST isolation probe', () => {
  it('finds the route files, and every one is probed, public by design or skipped with a reason', async () => {
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const r of routes) {
      const handlers = await (r.pattern in SKIPPED ? Promise.resolve({ GET: null }) : loadHandlers(r));
      expect(Object.keys(handlers).length, `${r.file} exports no handler`).toBeGreaterThan(0);
    }
  });

  const probed = routes.filter((r) => !(r.pattern in SKIPPED) && r.pattern !== '/api/trpc/[trpc]');

  it.each(probed.map((r) => [r.pattern, r] as const))('%s refuses outsiders and leaks nothing', async (_p, route) => {
    const handlers = await loadHandlers(route);
    const isPublic = route.pattern in PUBLIC;
    // One call per value of a catch-all segment (e.g. every MLflow endpoint).
    for (const values of await routeVariants(route, ids)) {
      for (const [method, handler] of Object.entries(handlers) as [HttpMethod, RouteHandler][]) {
        const { url } = fillRoute(route, values, ids.runId!);
        // Refusals: 401 (also a key on a session-only route, a session on a key-only API), 403, 404
        // (another team's resources read as missing), 405 (wrong method for the endpoint), and 400
        // where the probe's one generic body fails an endpoint's validation first (then the team-A
        // fingerprint and the leak check below still hold).
        const callers = [...anonymous.map((c) => ({ c, ok: [400, 401, 404, 405] })), ...outsiders.map((c) => ({ c, ok: [400, 401, 403, 404, 405] }))];
        const mutation = MUTATIONS.includes(method) && !READ_ONLY_POSTS.has(url);
        // Members may read their team's data; a viewer's writes must be refused (405: the endpoint takes no such method).
        if (mutation) callers.push(...viewers.map((c) => ({ c, ok: [400, 401, 403, 405] })));
        for (const { c, ok } of callers) {
          const before = await fingerprint(ids.teamId!);
          const res = await call(handler, method, route, c, values);
          const what = `${method} ${url} as ${c.label} → ${res.status} ${res.text.slice(0, 200)}`;
          expect(await fingerprint(ids.teamId!), `${what}: team A changed`).toBe(before);
          if (CREATE_IN_OWN_TEAM.has(url) && !viewers.includes(c) && c.user !== null) ok.push(200);
          if (CREATE_IN_OWN_TEAM.has(url) && c.bearer && !viewers.includes(c) && !anonymous.includes(c)) ok.push(200);
          if (!viewers.includes(c)) {
            // What the caller sent may be echoed back ("no experiment named …"); the rest is team A's.
            const scrubbed = Object.values(values).reduce((text, v) => text.split(v).join('<sent>'), res.text);
            expect(scrubbed, what).not.toContain(SECRET);
            expect(scrubbed, what).not.toContain('0.123456789');
          }
          if (isPublic) expect(res.status, what).toBeLessThan(500);
          else expect(ok, what).toContain(res.status);
        }
      }
    }
  });

  it('refuses over HTTP every team procedure of /api/trpc to anonymous callers and other teams', async () => {
    const route = routes.find((r) => r.pattern === '/api/trpc/[trpc]')!;
    const handlers = await loadHandlers(route);
    const procs = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta; type: string } }>).filter(
      ([, p]) => p._def.meta?.scope === 'team' && p._def.type !== 'subscription',
    );
    expect(procs.length).toBeGreaterThan(10);
    for (const [name, p] of procs) {
      const input = encodeURIComponent(JSON.stringify(superjson.serialize({ teamId: ids.teamId })));
      for (const [caller, code] of [
        [anonymous[0]!, 401],
        [outsiders[0]!, 403],
      ] as const) {
        session.user = caller.user;
        try {
          const req =
            p._def.type === 'query'
              ? new Request(`http://probe.test/api/trpc/${name}?input=${input}`)
              : new Request(`http://probe.test/api/trpc/${name}`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify(superjson.serialize({ teamId: ids.teamId })),
                });
          const res = await (p._def.type === 'query' ? handlers.GET! : handlers.POST!)(req, { params: Promise.resolve({ trpc: name }) });
          const text = await res.text();
          expect(res.status, `${name} as ${caller.label}: ${text.slice(0, 200)}`).toBe(code);
          expect(text).not.toContain(SECRET);
        } finally {
          session.user = null;
        }
      }
    }
  });

  it('reports whether API keys were probed', () => {
    // Informational: once server/services/api-keys.ts exists, outsiders and viewers also call by Bearer key.
    expect(typeof apiKeysExist).toBe('boolean');
  });
});

void makeUser;
