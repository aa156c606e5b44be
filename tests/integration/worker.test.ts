import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { checkHealth } from '@/server/services/health';
import { listWorkers, markLostWorkers } from '@/server/services/workers';

const root = path.resolve(import.meta.dirname, '..', '..');

async function until<T>(fn: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('worker process', () => {
  it('registers with its backend, heartbeats, appears in health, and stops cleanly on SIGTERM', async () => {
    const name = `itest-${Date.now()}`;
    const child = spawn(process.execPath, [path.join(root, 'bin', 'deepboard.mjs'), 'worker', '--name', name], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), DEEPBOARD_HEARTBEAT_MS: '300' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const row = await until(() => prisma.worker.findFirst({ where: { name } }));
    expect(row.status).toBe('ONLINE');
    expect(row.pid).toBe(child.pid);
    expect(['node-gpu', 'webgpu', 'node', 'wasm', 'cpu']).toContain(row.backend);
    expect(row.versions).toMatchObject({ tfjs: expect.any(String), node: process.versions.node });

    const first = row.lastHeartbeatAt.getTime();
    await until(async () => (await prisma.worker.findUniqueOrThrow({ where: { id: row.id } })).lastHeartbeatAt.getTime() > first);
    expect((await listWorkers()).some((w) => w.id === row.id && w.status === 'ONLINE')).toBe(true);
    expect((await checkHealth()).workers.online).toBeGreaterThanOrEqual(1);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const after = await prisma.worker.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.status).toBe('STOPPED');
    expect(after.stoppedAt).toBeInstanceOf(Date);
    expect(output).toContain('TensorFlow.js backend');
  });

  it('marks a worker that stopped heartbeating as LOST', async () => {
    const w = await prisma.worker.create({
      data: { name: `ghost-${Date.now()}`, host: 'h', pid: 1, backend: 'cpu', lastHeartbeatAt: new Date(Date.now() - 10 * 60_000) },
    });
    expect(await markLostWorkers()).toBeGreaterThanOrEqual(1);
    expect((await prisma.worker.findUniqueOrThrow({ where: { id: w.id } })).status).toBe('LOST');
  });
});

describe('health', () => {
  it('reports the database reachable and migrations applied', async () => {
    const h = await checkHealth();
    expect(h).toMatchObject({ ok: true, database: { reachable: true }, migrations: { ok: true, pending: [] } });
    expect(h.migrations.applied).toBeGreaterThan(0);
  });
});
