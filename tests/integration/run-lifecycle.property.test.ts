import fc from 'fast-check';
import pg from 'pg';
import type { RunStatus } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNS_CHANNEL } from '@/lib/channels';
import { prisma } from '@/lib/db/client';
import * as lifecycle from '@/lib/runs/lifecycle';
import { canTransition, isAllowedChange, targetOf, type TransitionResult } from '@/lib/runs/lifecycle';
import { reapStaleRuns, RUN_STALE_AFTER_MS } from '@/lib/runs/reaper';
import { makeWorkspace } from '../helpers/factories';

/**
 * Must-show 1: random interleavings of claim, heartbeat, progress, checkpoint, reap (with a clock
 * moved past the staleness limit, or not), cancel, finish, fail, shutdown and retry by two
 * simulated workers — each holding the attempt it claimed — against the real database. After
 * every step: the stored status change is an edge of TRANSITIONS; a write from an attempt that
 * is not the run's current one was refused as superseded and changed nothing; every status
 * notification received carries the status and attempt now stored; a queued run has its job.
 */

const SEED = Number(process.env.LIFECYCLE_SEED ?? 20261207);
const RUNS = Number(process.env.LIFECYCLE_RUNS ?? 60);

type Worker = 'A' | 'B';
type Step =
  | { kind: 'claim'; worker: Worker; staleJob: boolean }
  | { kind: 'heartbeat' | 'progress' | 'checkpoint' | 'fail' | 'shutdown'; worker: Worker }
  | { kind: 'finish'; worker: Worker; status: 'SUCCEEDED' | 'CANCELED' | 'PRUNED' }
  | { kind: 'reap'; stale: boolean }
  | { kind: 'cancel' }
  | { kind: 'retry' };

const worker = fc.constantFrom<Worker>('A', 'B');
// Weighted towards what makes attempts overlap: claims, reaps with a stale clock, and writes.
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('claim' as const), worker, staleJob: fc.boolean() }) },
  { weight: 7, arbitrary: fc.record({ kind: fc.constantFrom('heartbeat' as const, 'progress' as const, 'checkpoint' as const), worker }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('fail' as const, 'shutdown' as const), worker }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('finish' as const), worker, status: fc.constantFrom('SUCCEEDED' as const, 'CANCELED' as const, 'PRUNED' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('reap' as const), stale: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'retry' as const }) },
);

interface Notification {
  runId?: string;
  status?: RunStatus;
  attempt?: number;
  marker?: number;
}

let listener: pg.Client;
const received: Notification[] = [];
let markers = 0;
let team: { id: string };
let owner: { id: string };
let projectId: string;
let number = 0;
const created: Array<{ id: string }> = [];

/** Everything of the run a transition may write, to prove a refused one wrote nothing. */
async function snapshot(runId: string) {
  const [row] = await prisma.$queryRaw<Array<Record<string, unknown> & { status: RunStatus; attempt: number }>>`
    SELECT status::text AS status, attempt, "maxAttempts", "workerId", "heartbeatAt", progress, "finishedAt", error, evaluation, "cancelRequestedAt", "queuedAt",
           (SELECT count(*)::int FROM "Checkpoint" c WHERE c."runId" = r.id) AS checkpoints
    FROM "Run" r WHERE id = ${runId}`;
  return row!;
}

/** Waits until the listener has seen every notification committed so far (NOTIFYs arrive in commit order). */
async function drainNotifications(): Promise<Notification[]> {
  const marker = ++markers;
  await prisma.$executeRaw`SELECT pg_notify(${RUNS_CHANNEL}, ${JSON.stringify({ marker })})`;
  const deadline = Date.now() + 10_000;
  while (!received.some((n) => n.marker === marker)) {
    if (Date.now() > deadline) throw new Error(`notification marker ${marker} never arrived`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const upTo = received.findIndex((n) => n.marker === marker);
  return received.splice(0, upTo + 1).filter((n) => n.marker === undefined);
}

async function jobExists(key: string): Promise<boolean> {
  const rows = await prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM graphile_worker.jobs WHERE key = ${key}`;
  return Number(rows[0]!.n) > 0;
}

beforeAll(async () => {
  const made = await makeWorkspace({ project: 'Lifecycle property' });
  team = made.team;
  owner = made.owner;
  projectId = made.project.id;
  listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await listener.connect();
  listener.on('notification', (msg) => {
    if (msg.channel === RUNS_CHANNEL && msg.payload) received.push(JSON.parse(msg.payload) as Notification);
  });
  await listener.query(`LISTEN ${RUNS_CHANNEL}`);
});

afterAll(async () => {
  // No other test's worker may pick up a job this test queued.
  for (const run of created) {
    const { attempt } = await prisma.run.findUniqueOrThrow({ where: { id: run.id }, select: { attempt: true } });
    for (let a = 0; a <= attempt; a++) await prisma.$executeRaw`SELECT graphile_worker.remove_job(${`${run.id}:${a}`}::text)`;
  }
  await listener?.end();
});

/** Runs one step; returns the lifecycle's answer and the attempt the acting worker held, if any. */
async function perform(s: Step, runId: string, held: Record<Worker, number | null>): Promise<{ result?: TransitionResult; heldAttempt?: number }> {
  const now = new Date();
  if (s.kind === 'claim') {
    const current = await prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { attempt: true } });
    // A stale job names an attempt before the current one.
    const attempt = s.staleJob ? Math.max(0, current.attempt - 1) : current.attempt;
    const result = await lifecycle.claimRun(prisma, { runId, attempt, workerId: `worker-${s.worker}` });
    if (result.ok) held[s.worker] = attempt;
    return { result, heldAttempt: attempt };
  }
  if (s.kind === 'reap') {
    await reapStaleRuns(prisma, s.stale ? new Date(now.getTime() + 10 * RUN_STALE_AFTER_MS) : now);
    return {};
  }
  if (s.kind === 'cancel') {
    const r = await lifecycle.cancelRun(prisma, runId);
    return r.ok ? {} : { result: r };
  }
  if (s.kind === 'retry') {
    const current = await prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { attempt: true } });
    return { result: await lifecycle.retryRun(prisma, { runId, attempt: current.attempt }) };
  }
  const attempt = held[s.worker];
  if (attempt === null) return {};
  const ref = { runId, attempt };
  let result: TransitionResult;
  switch (s.kind) {
    case 'heartbeat':
      result = await lifecycle.heartbeatRun(prisma, ref);
      break;
    case 'progress':
      result = await lifecycle.recordProgress(prisma, { ...ref, progress: { epoch: Math.floor(Math.random() * 100) } });
      break;
    case 'checkpoint':
      result = await lifecycle.recordCheckpoint(prisma, {
        ...ref,
        checkpoint: { epoch: 1, kind: 'epoch', key: `runs/${runId}/cp-${Date.now()}-${Math.random()}`, metric: null, value: null, sizeBytes: 10n },
      });
      break;
    case 'fail':
      result = await lifecycle.failRun(prisma, { ...ref, error: `worker ${s.worker} failed` });
      break;
    case 'shutdown':
      result = await lifecycle.requeueOnShutdown(prisma, ref);
      break;
    case 'finish':
      result = await lifecycle.finishRun(prisma, { ...ref, status: s.status, data: { evaluation: { by: s.worker } } });
      break;
  }
  // A worker lets go of its attempt once it ended it; a refused one keeps writing like a zombie
  // worker that has not noticed yet, so superseded writes of every kind occur.
  if (result.ok && result.status !== 'RUNNING') held[s.worker] = null;
  return { result, heldAttempt: attempt };
}

describe('run lifecycle under random interleavings of two workers', () => {
  it('never makes an illegal transition, never accepts a superseded attempt, and always notifies the stored status', async () => {
    let steps = 0;
    const superseded: Record<string, number> = {};
    let reaped = 0;
    const seenEvents = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 16 }), fc.integer({ min: 1, max: 4 }), async (plan, maxAttempts) => {
        const run = await lifecycle.queueNewRun(prisma, { teamId: team.id, projectId, number: ++number, name: `p${number}`, paradigm: 'supervised', config: {}, createdById: owner.id, maxAttempts });
        created.push(run);
        const held: Record<Worker, number | null> = { A: null, B: null };
        const first = await drainNotifications();
        expect(first.filter((n) => n.runId === run.id).map((n) => n.status)).toEqual(['QUEUED']);

        for (const s of plan) {
          const before = await snapshot(run.id);
          const { result, heldAttempt } = await perform(s, run.id, held);
          const after = await snapshot(run.id);
          steps++;
          const what = `${JSON.stringify(s)} on ${before.status}@${before.attempt}`;

          // 1. Only edges of the table.
          if (before.status !== after.status || before.attempt !== after.attempt) {
            expect(isAllowedChange(before.status, after.status), `${what} → ${after.status}@${after.attempt}`).toBe(true);
          }
          if (result?.ok) {
            seenEvents.add(result.event);
            expect(canTransition(before.status, result.event), what).toBe(true);
            expect(after.status, what).toBe(targetOf(result.event));
          }
          if (s.kind === 'reap' && before.status === 'RUNNING' && after.status !== 'RUNNING') reaped++;
          // 2. A superseded attempt changes nothing and says so.
          if (heldAttempt !== undefined && heldAttempt !== before.attempt) {
            superseded[s.kind] = (superseded[s.kind] ?? 0) + 1;
            expect(result, what).toMatchObject({ ok: false, reason: 'superseded' });
            expect(after, what).toEqual(before);
          }
          if (result && !result.ok) expect(after, `${what} was refused (${result.reason}) but changed the run`).toEqual(before);
          // The current attempt's heartbeat on a running run is always accepted.
          if (s.kind === 'heartbeat' && heldAttempt === before.attempt && before.status === 'RUNNING') expect(result?.ok, what).toBe(true);

          // 3. Notifications carry the stored status; every change is notified.
          const notes = (await drainNotifications()).filter((n) => n.runId === run.id && n.status !== undefined);
          for (const n of notes) expect({ status: n.status, attempt: n.attempt }, `${what}: notification`).toEqual({ status: after.status, attempt: after.attempt });
          if (before.status !== after.status || before.attempt !== after.attempt) expect(notes.length, `${what}: a change must be notified`).toBeGreaterThan(0);

          // 4. A queued run has the job for its attempt.
          if (after.status === 'QUEUED') expect(await jobExists(`${run.id}:${after.attempt}`), `${what}: job`).toBe(true);
        }

        // Leave nothing for the reaper of later cases or files.
        const end = await prisma.run.findUniqueOrThrow({ where: { id: run.id }, select: { status: true, attempt: true } });
        if (end.status === 'RUNNING') await lifecycle.failRun(prisma, { runId: run.id, attempt: end.attempt, error: 'end of case' });
        if (end.status === 'QUEUED') await lifecycle.cancelRun(prisma, run.id);
        await drainNotifications();
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(steps).toBeGreaterThan(RUNS * 10 - 1);
    // The interleavings really reached the interesting cases.
    for (const kind of ['heartbeat', 'progress', 'checkpoint', 'finish']) expect(superseded[kind] ?? 0, `superseded ${kind}s tried`).toBeGreaterThan(0);
    expect(reaped).toBeGreaterThan(0);
    for (const e of ['claim', 'heartbeat', 'checkpoint', 'progress', 'succeed', 'fail', 'retry', 'shutdown-requeue']) expect(seenEvents.has(e), e).toBe(true);
  }, 300_000);
});
