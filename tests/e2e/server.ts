// The app under test for Playwright: a fresh database, migrated, and the production web server
// (bin/web.mjs, what `deepboard start` runs) on E2E_PORT.
// Writes the database URL where the specs find it; drops the database when stopped.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createTestDatabase } from '../helpers/test-database';
import { e2eDataDir, e2eStateFile } from './state';

const require = createRequire(import.meta.url);
const port = Number(process.env.E2E_PORT ?? 3210);
const root = path.resolve(import.meta.dirname, '..', '..');
const nextBin = require.resolve('next/dist/bin/next');

const db = await createTestDatabase('deepboard_e2e');
await writeFile(e2eStateFile(port), JSON.stringify({ databaseUrl: db.url }));
const env = {
  ...process.env,
  // The web server and the worker share one artifact folder (uploads, datasets, checkpoints).
  DEEPBOARD_DATA_DIR: e2eDataDir(port),
  DATABASE_URL: db.url,
  AUTH_SECRET: 'e2e-secret-not-for-production-use-0123456789',
  AUTH_TRUST_HOST: 'true',
  NODE_ENV: 'production' as const,
  NEXT_TELEMETRY_DISABLED: '1',
};
if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) {
  await new Promise<void>((resolve, reject) => {
    const b = spawn(process.execPath, [nextBin, 'build'], { cwd: root, env, stdio: 'inherit' });
    b.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (${code})`))));
  });
}
const web = spawn(process.execPath, [path.join(root, 'bin', 'web.mjs'), '-p', String(port), '-H', '127.0.0.1'], { cwd: root, env, stdio: 'inherit' });
// One real worker trains the runs the specs queue.
const worker = spawn(process.execPath, [path.join(root, 'bin', 'deepboard.mjs'), 'worker', '--name', 'e2e-worker'], {
  cwd: root,
  env: { ...env, DEEPBOARD_DATA_DIR: e2eDataDir(port) },
  stdio: 'inherit',
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  const exited = Promise.all([new Promise((r) => web.once('exit', r)), new Promise((r) => (worker.exitCode !== null ? r(null) : worker.once('exit', r)))]);
  web.kill('SIGTERM');
  worker.kill('SIGTERM');
  await exited;
  await db.drop().catch((e) => console.error('could not drop the e2e database:', e));
  await rm(e2eStateFile(port), { force: true });
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
web.on('exit', (code) => {
  if (!stopping) {
    console.error(`the web server exited (${code})`);
    void db.drop().finally(() => process.exit(1));
  }
});
