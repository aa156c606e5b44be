import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { createApiKey } from '@/server/services/api-keys';
import { securityHeaders } from '@/server/web/security-headers.mjs';
import { ensureBuilt, signInOverHttp, startWebServer, type WebServer } from '../chaos/helpers';
import { TEST_PASSWORD, makeStoredRun, makeWorkspace } from '../helpers/factories';

/**
 * The production web server's direct API (server/web/direct-api.ts): API-key calls to REST routes
 * skip Next's pipeline but must answer exactly as the route does under Next. Two servers on the
 * same build and database — one with the direct path, one with DEEPBOARD_DIRECT_API=0 — get the
 * same requests and their answers are compared.
 */
const PORT = Number(process.env.DIRECT_API_PORT ?? 3238);

let direct: WebServer;
let viaNext: WebServer;
let key: string;
let runIds: string[];
let email: string;

beforeAll(async () => {
  await ensureBuilt();
  const t = await makeWorkspace({ project: 'Direct' });
  email = t.owner.email;
  runIds = [];
  for (let i = 0; i < 2; i++) {
    const run = await makeStoredRun(t, { number: i + 1, name: `direct-${i}`, source: 'external', status: 'RUNNING' });
    runIds.push(run.id);
  }
  key = (await createApiKey({ userId: t.owner.id, teamId: t.team.id, name: 'direct' })).key;
  [direct, viaNext] = await Promise.all([startWebServer(PORT), startWebServer(PORT + 1, { DEEPBOARD_DIRECT_API: '0' })]);
}, 300_000);

afterAll(async () => {
  await Promise.all([direct?.stop(), viaNext?.stop()]);
});

interface Answer {
  status: number;
  body: string;
  contentType: string | null;
  path: string | null;
  security: Record<string, string | null>;
}

async function ask(server: WebServer, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(server.url + path, init);
  return {
    status: res.status,
    body: await res.text(),
    contentType: res.headers.get('content-type'),
    path: res.headers.get('x-deepboard-path'),
    security: Object.fromEntries(securityHeaders.map((h) => [h.key, res.headers.get(h.key)])),
  };
}

/** The same request to both servers: the direct one must take the direct path and answer the same. */
async function both(path: (i: number) => string, init: () => RequestInit) {
  const a = await ask(direct, path(0), init());
  const b = await ask(viaNext, path(1), init());
  expect(a.path).toBe('direct');
  expect(b.path).toBeNull();
  expect({ ...a, path: null }).toEqual(b);
  return a;
}

const bearer = (k = key) => ({ authorization: `Bearer ${k}`, 'content-type': 'application/json' });
const batch = (from: number) => JSON.stringify({ metrics: Array.from({ length: 10 }, (_, i) => ({ key: 'loss', value: 1 / (from + i + 1), step: from + i })) });

describe('the direct API', () => {
  it('answers a Bearer log-batch call itself, as the route does under Next, with the security headers', async () => {
    const a = await both(
      (i) => `/api/v1/runs/${runIds[i]}/log-batch`,
      () => ({ method: 'POST', headers: bearer(), body: batch(0) }),
    );
    expect(a.status).toBe(200);
    expect(a.security).toEqual(Object.fromEntries(securityHeaders.map((h) => [h.key, h.value])));
    const stored = await prisma.metricPoint.count({ where: { series: { runId: { in: runIds } } } });
    expect(stored).toBe(20);
  });

  it('gives the same JSON errors: bad key 401, unknown run 404, malformed JSON 400, oversize body 413', async () => {
    const log = (i: number) => `/api/v1/runs/${runIds[i]}/log-batch`;
    expect((await both(log, () => ({ method: 'POST', headers: bearer('dbk_' + 'x'.repeat(40)), body: batch(0) }))).status).toBe(401);
    expect(
      (
        await both(
          () => '/api/v1/runs/no%20such%20run/log-batch',
          () => ({ method: 'POST', headers: bearer(), body: batch(0) }),
        )
      ).status,
    ).toBe(404);
    expect((await both(log, () => ({ method: 'POST', headers: bearer(), body: '{"metrics": [' }))).status).toBe(400);
    const huge = '{"metrics": [' + ' '.repeat(9 * 1024 * 1024) + ']}';
    expect((await both(log, () => ({ method: 'POST', headers: bearer(), body: huge }))).status).toBe(413);
    // A streamed (chunked) body has no Content-Length: the cap must cut it off as it arrives. Next
    // resets the connection there (cancelling its body stream destroys the socket); the direct
    // path answers the route's 413, so this one is checked on the direct server alone.
    const streamed = () => {
      const chunk = new Uint8Array(1024 * 1024).fill(32);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent++ < 10) c.enqueue(chunk);
          else c.close();
        },
      });
      return { method: 'POST', headers: bearer(), body, duplex: 'half' } as RequestInit;
    };
    const cut = await ask(direct, log(0), streamed());
    expect(cut).toMatchObject({ status: 413, path: 'direct' });
    expect(JSON.parse(cut.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    // The MLflow API's own error body, and a validation error of the REST API.
    expect(
      (
        await both(
          () => '/api/2.0/mlflow/runs/get?run_id=nope',
          () => ({ headers: bearer('dbk_' + 'y'.repeat(40)) }),
        )
      ).status,
    ).toBe(401);
    expect((await both(log, () => ({ method: 'POST', headers: bearer(), body: JSON.stringify({ metrics: [{ key: 'loss', value: 'high', step: 1 }] }) }))).status).toBe(400);
  });

  it('leaves browser sessions, pages, other paths and unexported methods to Next', async () => {
    const { cookie } = await signInOverHttp(direct.url, email, TEST_PASSWORD);
    const session = await ask(direct, `/api/v1/runs/${runIds[0]}`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(session.path).toBeNull();
    const page = await ask(direct, '/sign-in', { headers: { authorization: `Bearer ${key}` } });
    expect(page.path).toBeNull();
    expect(page.contentType).toContain('text/html');
    expect(page.security['Content-Security-Policy']).toBeTruthy();
    const health = await ask(direct, '/api/health', { headers: { authorization: `Bearer ${key}` } });
    expect(health.path).toBeNull();
    const del = await ask(direct, `/api/v1/runs/${runIds[0]}/log-batch`, { method: 'DELETE', headers: bearer() });
    expect(del.path).toBeNull();
    expect(del.status).toBe(405);
    // The direct path still serves a Bearer call to a run the session just read.
    expect((await ask(direct, `/api/v1/runs/${runIds[0]}`, { headers: bearer() })).path).toBe('direct');
  });
});
