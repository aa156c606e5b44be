#!/usr/bin/env node
// The production web server (server/web/main.ts: Next plus the direct REST API), run through tsx
// like the CLI. Takes `next start`'s flags: -p PORT, -H HOSTNAME, --keepAliveTimeout MS.
//
// This process supervises DEEPBOARD_WEB_PROCESSES copies of the server sharing the port (node's
// cluster: connections are handed out in turn; default: the cores but one, which Postgres and the
// workers need, at most 4). A Node process answers on one core; each copy keeps its own caches,
// which stay correct because every one of them listens to the database's notifications. The
// copies run with a larger young generation (--max-semi-space-size=64): a server allocating for
// every answer spent ~8 % of its time in scavenges, and p95 latency under load fell by a quarter.
// A copy that dies is replaced; SIGTERM / SIGINT stop them all gracefully, then this process.
import cluster from 'node:cluster';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.DEEPBOARD_ROOT ??= root;
// As `next start`: production unless NODE_ENV says otherwise.
process.env.NODE_ENV ||= 'production';

if (cluster.isPrimary) {
  // Every setting is checked (lib/env.ts) before a server process starts: a bad value stops here
  // with one line naming the variable and exit code 2.
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: path.join(root, 'tsconfig.json') });
  const { SettingsError, validateEnv } = await import(pathToFileURL(path.join(root, 'lib', 'env.ts')).href);
  let settings;
  try {
    settings = validateEnv();
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    console.error(`deepboard web: ${err.message}`);
    process.exit(2);
  }
  const processes = settings.DEEPBOARD_WEB_PROCESSES ?? Math.max(1, Math.min(os.availableParallelism() - 1, 4));
  const flags = process.execArgv.some((a) => a.startsWith('--max-semi-space-size')) ? [] : ['--max-semi-space-size=64'];
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...flags] });
  let stopping = false;
  let exitCode = 0;
  const started = new Map();
  const fork = () => {
    const w = cluster.fork();
    started.set(w.id, Date.now());
    w.on('exit', (code, signal) => {
      const lived = Date.now() - started.get(w.id);
      started.delete(w.id);
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
        return;
      }
      // One that could not even start (a port in use, a missing build) will not do better the
      // next time: stop with its exit code instead of forking forever.
      if (lived < 10_000) {
        console.error(`[web] a server process exited during start-up (${signal ?? code}); stopping`);
        stopping = true;
        exitCode = typeof code === 'number' && code !== 0 ? code : 1;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
        return;
      }
      console.error(`[web] a server process exited (${signal ?? code}); starting another`);
      fork();
    });
  };
  for (let i = 0; i < processes; i++) fork();
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    exitCode = signal === 'SIGINT' ? 130 : 143;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
    // The servers drain for up to 10 s; past 15 s they are killed.
    setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(exitCode);
    }, 15_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} else {
  // The supervisor is gone (killed): so is this copy's reason to run.
  process.on('disconnect', () => process.exit(1));
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: path.join(root, 'tsconfig.json') });
  await import(pathToFileURL(path.join(root, 'server', 'web', 'main.ts')).href);
}
