import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { beforeAll, describe, expect, it } from 'vitest';
import { POST as mlflowPost } from '@/app/api/2.0/mlflow/[...endpoint]/route';
import * as search from '@/app/api/v1/runs/search/route';
import { RUNS_CHANNEL } from '@/lib/channels';
import { sql } from '@/lib/db/client';
import { DatasetError } from '@/lib/datasets/errors';
import { InvalidInputError, NotFoundError, UnavailableError } from '@/lib/errors';
import { setFailureLog } from '@/lib/log';
import { realtimeHub, type RunEvent } from '@/server/realtime/hub';
import { appRouter } from '@/server/api/root';
import { createTRPCRouter, publicProcedure, type Context } from '@/server/api/trpc';
import { registerCommand, runCli } from '@/server/cli/main';
import type { CliIO } from '@/server/cli/types';
import { createApiKey } from '@/server/services/api-keys';
import type { PublicUser } from '@/server/services/users';
import { callerFor, makeTeam, uid } from '../helpers/factories';
import { call } from '../helpers/rest';

/** A user error thrown deep in a service comes out of every transport mapped by its kind, and anything else as a generic answer without internals. */

let owner: PublicUser;
let teamId: string;
let projectSlug: string;
let key: string;

beforeAll(async () => {
  const made = await makeTeam();
  owner = made.owner;
  teamId = made.team.id;
  projectSlug = (await callerFor(owner).projects.create({ teamId, name: `Errors ${uid()}` })).slug;
  key = (await createApiKey({ userId: owner.id, teamId, name: 'errors' })).key;
});

/** tRPC over HTTP, through the real fetch adapter, error formatter and transformer. */
async function trpcGet(router: typeof appRouter | ReturnType<typeof createTRPCRouter>, path: string, input: unknown, user: PublicUser | null = owner) {
  const url = `http://localhost/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const res = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: new Request(url),
    router: router as typeof appRouter,
    createContext: (): Context => ({ user, headers: new Headers() }),
  });
  const body = (await res.json()) as { error: { json: { message: string; code: number; data: { code: string; httpStatus: number; field: string | null; stack?: string } } } };
  return { status: res.status, error: body.error.json };
}

describe('tRPC', () => {
  it('maps a service error to its code and status', async () => {
    const res = await trpcGet(appRouter, 'runs.get', { teamId, runId: 'no-such-run' });
    expect(res.status).toBe(404);
    expect(res.error.data.code).toBe('NOT_FOUND');
    expect(res.error.message).toMatch(/not found/);
  });

  it('maps each kind, keeps the field, and hides an unexpected error behind a generic message', async () => {
    const router = createTRPCRouter({
      dataset: publicProcedure
        .input((v) => v)
        .query(() => {
          throw new DatasetError('line 3: 2 fields, expected 3');
        }),
      field: publicProcedure
        .input((v) => v)
        .query(() => {
          throw new InvalidInputError('the learning rate must be positive', { field: 'lr' });
        }),
      down: publicProcedure
        .input((v) => v)
        .query(() => {
          throw new UnavailableError('object storage is not reachable; try again');
        }),
      bug: publicProcedure
        .input((v) => v)
        .query(() => {
          throw new Error('relation "Secret" does not exist');
        }),
    });
    const dataset = await trpcGet(router, 'dataset', {});
    expect([dataset.status, dataset.error.data.code, dataset.error.message]).toEqual([400, 'BAD_REQUEST', 'line 3: 2 fields, expected 3']);
    const field = await trpcGet(router, 'field', {});
    expect([field.status, field.error.data.field]).toEqual([400, 'lr']);
    const down = await trpcGet(router, 'down', {});
    expect([down.status, down.error.data.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    const bug = await trpcGet(router, 'bug', {});
    expect(bug.status).toBe(500);
    expect(bug.error.message).toBe('Something went wrong on the server; it has been logged.');
    expect(JSON.stringify(bug.error)).not.toContain('Secret');
    // No stack for anyone, in development either.
    for (const r of [dataset, field, down, bug]) expect(r.error.data).not.toHaveProperty('stack');
  });
});

describe('REST /api/v1', () => {
  it('answers a query syntax error from the search service as a 400 naming the field', async () => {
    const res = await call(search.POST, { key, body: { project: projectSlug, query: 'metrics.val_acc >>> 1' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', field: 'query' });
    expect(res.body.error.message).toMatch(/^column \d+: /);
  });

  it('answers a missing project as a 404', async () => {
    const res = await call(search.POST, { key, body: { project: `nope-${uid()}`, query: '' } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});

describe('MLflow', () => {
  const post = (endpoint: string, body: unknown) => call(mlflowPost, { method: 'POST', url: `http://localhost/api/2.0/mlflow/${endpoint}`, key, body, params: { endpoint: endpoint.split('/') } });

  it("maps the services' user errors to MLflow error codes", async () => {
    const exp = await post('experiments/create', { name: `exp ${uid()}` });
    const run = await post('runs/create', { experiment_id: exp.body.experiment_id, start_time: Date.now() });
    const runId = run.body.run.info.run_id as string;
    expect((await post('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.1' })).status).toBe(200);
    // Params are write-once: the service's BAD_REQUEST is MLflow's INVALID_PARAMETER_VALUE.
    const again = await post('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.2' });
    expect([again.status, again.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(again.body.message).toMatch(/params cannot change/);
    const filter = await post('runs/search', { experiment_ids: [exp.body.experiment_id], filter: 'metrics.acc >' });
    expect([filter.status, filter.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });
});

describe('CLI', () => {
  const io = () => {
    const errs: string[] = [];
    const outs: string[] = [];
    const cliIo: CliIO = { stdout: (t) => void outs.push(t), stderr: (t) => void errs.push(t), env: {} as NodeJS.ProcessEnv, cwd: process.cwd() };
    return { errs, outs, io: cliIo };
  };

  registerCommand({
    path: ['test-user-errors'],
    summary: 'throws the error named by its argument',
    usage: 'deepboard test-user-errors KIND',
    run: async ([kind]) => {
      if (kind === 'invalid') throw new DatasetError('loans.csv: line 3: 2 fields, expected 3');
      if (kind === 'missing') throw new NotFoundError("no team 'nobody'");
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    },
  });

  it('exits 2 for invalid input, 1 for other user errors and for bugs, always one line', async () => {
    const a = io();
    expect(await runCli(['test-user-errors', 'invalid'], a.io)).toBe(2);
    expect(a.errs).toEqual(['deepboard: loans.csv: line 3: 2 fields, expected 3']);
    const b = io();
    expect(await runCli(['test-user-errors', 'missing'], b.io)).toBe(1);
    expect(b.errs).toEqual(["deepboard: error: no team 'nobody'"]);
    const c = io();
    expect(await runCli(['test-user-errors', 'bug'], c.io)).toBe(1);
    expect(c.errs).toEqual(["deepboard: error: Cannot read properties of undefined (reading 'id')"]);
  });

  it('maps a service error raised by a real command', async () => {
    const a = io();
    expect(await runCli(['admin', 'create-api-key', '--email', `nobody-${uid()}@example.test`, '--team', 'nobody'], a.io)).toBe(1);
    expect(a.errs).toHaveLength(1);
    expect(a.errs[0]).toMatch(/^deepboard: error: /);
  });
});

describe('background failures', () => {
  async function until(what: string, check: () => Promise<boolean> | boolean, ms = 15_000) {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const listeners = () => sql<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1 AND pid <> pg_backend_pid()`, [`LISTEN ${RUNS_CHANNEL}`]);

  it('a lost LISTEN connection of the live-updates hub is logged once, then its recovery, and events flow again', async () => {
    const lines: string[] = [];
    const previous = setFailureLog((line) => lines.push(line));
    const stop = new AbortController();
    const runId = `run-${uid()}`;
    const events: RunEvent[] = [];
    const consuming = (async () => {
      for await (const e of realtimeHub().subscribe(runId, stop.signal)) events.push(e);
    })();
    try {
      await until('the hub to listen', async () => (await listeners()).length > 0);
      await sql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = $1 AND pid <> pg_backend_pid()', [`LISTEN ${RUNS_CHANNEL}`]);
      await until('the recovery to be logged', () => lines.some((l) => l.includes('recovered')));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^\[deepboard\] listening for live run updates failed: .*terminat/);
      expect(lines[0]).not.toMatch(/\n|\s+at .+:\d+:\d+/);
      expect(lines[1]).toBe('[deepboard] listening for live run updates recovered after 1 failure');
      await sql('SELECT pg_notify($1, $2)', [RUNS_CHANNEL, JSON.stringify({ runId, type: 'run', status: 'RUNNING' })]);
      await until('the event', () => events.length > 0);
      expect(events[0]).toMatchObject({ runId, type: 'run', status: 'RUNNING' });
    } finally {
      stop.abort();
      await consuming;
      setFailureLog(previous);
    }
  });
});
