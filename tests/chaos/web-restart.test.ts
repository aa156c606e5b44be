import { afterAll, describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { TEST_PASSWORD } from '../helpers/factories';
import { startWorker, waitForRun, type WorkerProcess } from '../helpers/worker-process';
import { completenessProblems, ensureBuilt, pointsOf, signInOverHttp, startWebServer, trainingFixture, until, type WebServer } from './helpers';

/**
 * (b) The web server is killed and restarted mid-run: training goes on meanwhile (workers need
 * only Postgres), the restarted server serves the run again to the same session cookie, and the
 * run finishes in its first attempt with every metric point.
 */
const PORT = Number(process.env.CHAOS_PORT ?? 3225);
let server: WebServer | null = null;
let worker: WorkerProcess | null = null;
afterAll(async () => {
  await server?.stop('SIGKILL');
  await worker?.stop('SIGKILL');
});

async function exportedPoints(base: string, runId: string, cookie: string): Promise<number> {
  const res = await fetch(`${base}/api/runs/export?runs=${runId}&format=json`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { runs: Array<{ points: unknown[] }> };
  return body.runs[0]!.points.length;
}

describe('web server restart', () => {
  it('(b) a run continues while the web server is down; the restarted server serves it to the same session', async () => {
    await ensureBuilt();
    const f = await trainingFixture();
    worker = startWorker({ DEEPBOARD_WORKER_NAME: 'steady' });
    server = await startWebServer(PORT);
    const { cookie } = await signInOverHttp(server.url, f.owner.email, TEST_PASSWORD);
    const epochs = 10;
    const run = await f.createRun(epochs);
    await waitForRun(run.id, ['RUNNING'], 120_000, worker);
    await until('the first checkpoint', async () => (await prisma.checkpoint.count({ where: { runId: run.id } })) >= 1, 180_000);
    const before = await exportedPoints(server.url, run.id, cookie);
    expect(before).toBeGreaterThan(0);

    await server.stop('SIGKILL');
    const downAt = Date.now();
    const atDown = (await pointsOf(run.id)).length;
    await new Promise((r) => setTimeout(r, 3000));
    const whileDown = (await pointsOf(run.id)).length;
    expect(whileDown).toBeGreaterThan(atDown);
    server = await startWebServer(PORT);
    const downMs = Date.now() - downAt;

    const after = await exportedPoints(server.url, run.id, cookie);
    expect(after).toBeGreaterThanOrEqual(whileDown);
    const done = await waitForRun(run.id, ['SUCCEEDED', 'FAILED'], 300_000, worker);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempt).toBe(0);
    const points = await pointsOf(run.id);
    expect(completenessProblems(points, epochs)).toEqual([]);
    expect(await exportedPoints(server.url, run.id, cookie)).toBeGreaterThanOrEqual(points.length);
    console.log(
      `[chaos] web restart: server down ${(downMs / 1000).toFixed(1)} s; ${whileDown - atDown} points logged while it was down; run finished in attempt 1 with ${points.length} points, lost 0`,
    );
  });
});
