import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunStatus } from '@prisma/client';
import { describe, expect, it } from 'vitest';
import * as lifecycle from './lifecycle';
import { fromStates, lifecycleMermaid, targetOf, TRANSITIONS, type Db, type LifecycleEvent } from './lifecycle';

/**
 * Every lifecycle function checked against the TRANSITIONS table: the UPDATE it issues allows
 * exactly the table's from-states of its event and writes the table's target state. A recording
 * stand-in for the transaction client captures the UPDATEs (the real database is exercised by
 * tests/integration/run-lifecycle.property.test.ts).
 */

interface Update {
  where: { status?: { in: RunStatus[] }; attempt?: number };
  data: { status?: RunStatus };
}

function recorder(row: { status: RunStatus; attempt?: number; cancelRequestedAt?: Date | null }) {
  const updates: Update[] = [];
  const sql: string[] = [];
  const current = { attempt: 0, priority: 0, maxAttempts: 2, cancelRequestedAt: null, ...row };
  const db = {
    run: {
      updateMany: async (args: Update) => {
        updates.push(args);
        return { count: 1 };
      },
      findUnique: async () => current,
      findUniqueOrThrow: async () => current,
      create: async (args: { data: Record<string, unknown> }) => ({ id: 'run-1', priority: 0, ...args.data }),
    },
    checkpoint: { findMany: async () => [], deleteMany: async () => ({ count: 0 }), create: async () => ({ id: 'cp-1' }) },
    runLog: { create: async () => ({}) },
    $executeRaw: async (strings: TemplateStringsArray | { strings?: string[] }) => {
      sql.push(Array.isArray(strings) ? strings.join('?') : JSON.stringify(strings));
      return 1;
    },
  };
  return { db: db as unknown as Db, updates, sql };
}

const ref = { runId: 'run-1', attempt: 0 };
const stale = { id: 'run-1', attempt: 0, maxAttempts: 3, priority: 0, heartbeatAt: null, cancelRequestedAt: null };
const messages = { requeued: 'r', notRetried: 'n', error: 'e' };

/** Each function, the state its run is in, and the event it must perform. */
const CASES: Array<{ name: string; event: LifecycleEvent; row: Parameters<typeof recorder>[0]; call: (db: Db) => Promise<unknown> }> = [
  { name: 'claimRun', event: 'claim', row: { status: 'QUEUED' }, call: (db) => lifecycle.claimRun(db, { ...ref, workerId: 'w' }) },
  { name: 'heartbeatRun', event: 'heartbeat', row: { status: 'RUNNING' }, call: (db) => lifecycle.heartbeatRun(db, ref) },
  { name: 'recordProgress', event: 'progress', row: { status: 'RUNNING' }, call: (db) => lifecycle.recordProgress(db, { ...ref, progress: { epoch: 1 } }) },
  {
    name: 'recordCheckpoint',
    event: 'checkpoint',
    row: { status: 'RUNNING' },
    call: (db) => lifecycle.recordCheckpoint(db, { ...ref, checkpoint: { epoch: 1, kind: 'epoch', key: 'k', metric: null, value: null, sizeBytes: 1n } }),
  },
  { name: 'finishRun SUCCEEDED', event: 'succeed', row: { status: 'RUNNING' }, call: (db) => lifecycle.finishRun(db, { ...ref, status: 'SUCCEEDED' }) },
  { name: 'finishRun CANCELED', event: 'stop-canceled', row: { status: 'RUNNING' }, call: (db) => lifecycle.finishRun(db, { ...ref, status: 'CANCELED' }) },
  { name: 'finishRun PRUNED', event: 'prune', row: { status: 'RUNNING' }, call: (db) => lifecycle.finishRun(db, { ...ref, status: 'PRUNED' }) },
  { name: 'failRun', event: 'fail', row: { status: 'RUNNING' }, call: (db) => lifecycle.failRun(db, { ...ref, error: 'x' }) },
  { name: 'requeueOnShutdown', event: 'shutdown-requeue', row: { status: 'RUNNING' }, call: (db) => lifecycle.requeueOnShutdown(db, ref) },
  {
    name: 'requeueOnShutdown after a cancel request',
    event: 'stop-canceled',
    row: { status: 'RUNNING', cancelRequestedAt: new Date() },
    call: (db) => lifecycle.requeueOnShutdown(db, ref),
  },
  { name: 'reapRun with attempts left', event: 'reap-requeue', row: { status: 'RUNNING' }, call: (db) => lifecycle.reapRun(db, stale, { now: new Date(), messages }) },
  { name: 'reapRun on the last attempt', event: 'reap-fail', row: { status: 'RUNNING' }, call: (db) => lifecycle.reapRun(db, { ...stale, maxAttempts: 1 }, { now: new Date(), messages }) },
  {
    name: 'reapRun of a cancel-requested run',
    event: 'reap-cancel',
    row: { status: 'RUNNING' },
    call: (db) => lifecycle.reapRun(db, { ...stale, cancelRequestedAt: new Date() }, { now: new Date(), messages }),
  },
  { name: 'cancelRun of a queued run', event: 'cancel', row: { status: 'QUEUED' }, call: (db) => lifecycle.cancelRun(db, 'run-1') },
  { name: 'cancelRun of a running run', event: 'request-cancel', row: { status: 'RUNNING' }, call: (db) => lifecycle.cancelRun(db, 'run-1') },
  { name: 'retryRun', event: 'retry', row: { status: 'FAILED' }, call: (db) => lifecycle.retryRun(db, ref) },
  ...(['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED'] as const).map((status) => ({
    name: `reportExternalStatus ${status}`,
    event: ({ RUNNING: 'external-running', SUCCEEDED: 'external-finish', FAILED: 'external-fail', CANCELED: 'external-kill' } as const)[status],
    row: { status: 'RUNNING' as RunStatus },
    call: (db: Db) => lifecycle.reportExternalStatus(db, { ...ref, status, finishedAt: null }),
  })),
];

describe('the run state table', () => {
  it('gives every event exactly one target state', () => {
    const events = new Set(TRANSITIONS.map((t) => t.event));
    for (const e of events) expect(new Set(TRANSITIONS.filter((t) => t.event === e).map((t) => t.to)).size, e).toBe(1);
  });

  it('has no duplicate edges, and only new runs start from nothing', () => {
    const keys = TRANSITIONS.map((t) => `${t.from}|${t.event}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(
      TRANSITIONS.filter((t) => t.from === null)
        .map((t) => t.event)
        .sort(),
    ).toEqual(['queue', 'start-external']);
  });

  it('covers every event with a function', () => {
    const covered = new Set<LifecycleEvent>(['queue', 'start-external', ...CASES.map((c) => c.event)]);
    expect([...new Set(TRANSITIONS.map((t) => t.event))].filter((e) => !covered.has(e))).toEqual([]);
  });
});

describe('each lifecycle function against the table', () => {
  for (const c of CASES) {
    it(`${c.name} performs '${c.event}'`, async () => {
      const { db, updates } = recorder(c.row);
      const result = (await c.call(db)) as { ok: boolean };
      expect(result.ok).toBe(true);
      const update = updates.at(-1)!;
      expect(update.where.status!.in.slice().sort()).toEqual(fromStates(c.event).slice().sort());
      expect(update.data.status).toBe(targetOf(c.event));
    });
  }

  it('fences every worker write by the attempt it holds', async () => {
    for (const c of CASES.filter((x) => !x.name.startsWith('cancelRun'))) {
      const { db, updates } = recorder(c.row);
      await c.call(db);
      expect(updates.at(-1)!.where.attempt, c.name).toBe(0);
    }
  });

  it('notifies the resulting status of a status change, and nothing for a heartbeat', async () => {
    const fail = recorder({ status: 'RUNNING' });
    await lifecycle.failRun(fail.db, { ...ref, error: 'x' });
    expect(fail.sql.some((s) => s.includes('pg_notify'))).toBe(true);
    const beat = recorder({ status: 'RUNNING' });
    await lifecycle.heartbeatRun(beat.db, ref);
    expect(beat.sql.some((s) => s.includes('pg_notify'))).toBe(false);
  });
});

describe("README's run lifecycle diagram", () => {
  it('is the table', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.split('\n## ').find((s) => s.startsWith('Run lifecycle'));
    expect(section, 'README has a "## Run lifecycle" section').toBeDefined();
    const block = /```mermaid\n([\s\S]*?)\n```/.exec(section!)?.[1];
    expect(block).toBe(lifecycleMermaid());
  });
});
