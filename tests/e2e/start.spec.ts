import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { runningEmbeddedUrl } from '@/server/db/resolve';
import { shot } from './helpers';

/**
 * The README's start command on a machine without DATABASE_URL: embedded Postgres in a fresh data
 * folder, migrations, demo seed, web app and worker; SIGTERM stops everything; a second start keeps
 * the data. Needs the production build (the e2e run builds first).
 */

const root = path.resolve(import.meta.dirname, '..', '..');

/** A port the OS says is free (ephemeral range: clear of the ports Next.js refuses as reserved). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function parentMap(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  return map;
}

function descendants(pid: number): number[] {
  const map = parentMap();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    for (const [child, parent] of map) {
      if (parent === p) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

async function waitHealthy(url: string, child: ChildProcess, ms: number): Promise<Record<string, unknown>> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`npm start exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return (await res.json()) as Record<string, unknown>;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('not healthy in time');
}

function startDeepboard(dataDir: string, port: number, pgPort: number) {
  const env: NodeJS.ProcessEnv = { ...process.env, DEEPBOARD_DATA_DIR: dataDir, PORT: String(port), DEEPBOARD_PG_PORT: String(pgPort) };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  delete env.AUTH_SECRET;
  const child = spawn('npm', ['start', '--silent'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  return { child, log: () => log };
}

async function stopAndCheck(child: ChildProcess, dataDir: string) {
  const tree = descendants(child.pid!);
  expect(tree.length).toBeGreaterThanOrEqual(3); // node supervisor, postgres, next, worker
  const exited = new Promise<string>((r) => child.once('exit', (code, signal) => r(`${code ?? signal}`)));
  child.kill('SIGTERM');
  // npm forwards the signal to Deepboard and then ends by it; either way nothing may be left.
  expect(['0', 'SIGTERM']).toContain(await exited);
  const deadline = Date.now() + 20_000;
  while (tree.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(tree.filter(alive)).toEqual([]);
  expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
}

test('npm start without DATABASE_URL: embedded database, health, clean stop, data kept', async ({ page }) => {
  test.setTimeout(300_000);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'deepboard-start-'));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const pgPort = await freePort();
  const health = `http://127.0.0.1:${port}/api/health`;
  try {
    const first = startDeepboard(dataDir, port, pgPort);
    const h = await waitHealthy(health, first.child, 180_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${first.log()}`);
    });
    expect(h).toMatchObject({ ok: true, database: { reachable: true }, migrations: { ok: true } });
    // The supervisor prints its banner after its own health poll, which may trail ours.
    await expect.poll(() => first.log(), { timeout: 15_000 }).toContain('Demo sign-in: ana@demo.deepboard.dev');

    await page.goto(`http://127.0.0.1:${port}/`);
    await expect(page).toHaveURL(/\/sign-in/);
    await page.getByLabel('E-mail').fill('ana@demo.deepboard.dev');
    await page.getByLabel('Password').fill('deepboard-demo-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Demo Lab' })).toBeVisible();
    await expect(page.getByTestId('member-summary')).toContainText('ben@demo.deepboard.dev');
    await page.getByRole('link', { name: 'Workers' }).click();
    await expect(page.getByTestId('workers-table')).toContainText('online');
    await shot(page, '20-embedded-start-workers');

    const url = await runningEmbeddedUrl(dataDir);
    expect(url).not.toBeNull();
    const db = new pg.Client({ connectionString: url! });
    await db.connect();
    await db.query(`INSERT INTO "Team" (id, name, slug, "updatedAt") VALUES ('persist-check', 'Persist check', 'persist-check', now())`);
    await db.end();

    await stopAndCheck(first.child, dataDir);

    const second = startDeepboard(dataDir, port, pgPort);
    await waitHealthy(health, second.child, 120_000);
    const db2 = new pg.Client({ connectionString: (await runningEmbeddedUrl(dataDir))! });
    await db2.connect();
    expect((await db2.query(`SELECT name FROM "Team" WHERE id = 'persist-check'`)).rows).toEqual([{ name: 'Persist check' }]);
    expect(Number((await db2.query(`SELECT count(*) FROM "User"`)).rows[0].count)).toBe(2); // not seeded twice
    await db2.end();
    await stopAndCheck(second.child, dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
