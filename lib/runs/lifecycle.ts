import type { Prisma, PrismaClient, Run, RunStatus } from '@prisma/client';
import { CANCEL_CHANNEL, RUNS_CHANNEL } from '../channels';
import { enqueueTrainSql } from '../queue';

/**
 * The one owner of a run's status. Every transition — queue, claim, heartbeat, progress,
 * checkpoint, reap, shutdown, finish, fail, cancel, retry and the external runs' status reports —
 * is a compare-and-set UPDATE keyed by the run's attempt (a fencing token): a worker whose attempt
 * was superseded (reaped and queued again) changes nothing and is told so. The UPDATE, the job it
 * implies and the NOTIFY carrying the resulting status happen in one transaction.
 *
 * The state diagram is TRANSITIONS below; the functions take their allowed from-states from it
 * (lifecycle.test.ts checks each one against it, and that README's diagram is generated from it).
 */

export type LifecycleEvent =
  | 'queue'
  | 'start-external'
  | 'claim'
  | 'cancel'
  | 'heartbeat'
  | 'progress'
  | 'checkpoint'
  | 'request-cancel'
  | 'reap-requeue'
  | 'reap-cancel'
  | 'reap-fail'
  | 'shutdown-requeue'
  | 'succeed'
  | 'stop-canceled'
  | 'prune'
  | 'fail'
  | 'retry'
  | 'external-running'
  | 'external-finish'
  | 'external-fail'
  | 'external-kill';

/** One edge of the state diagram; `from: null` is a new run. */
export interface Transition {
  from: RunStatus | null;
  event: LifecycleEvent;
  to: RunStatus;
}

/** External runs (REST, SDK, MLflow) report their own status, including reopening a finished run, as MLflow allows. */
const EXTERNAL_STATES: RunStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED'];
const EXTERNAL_EVENTS: Array<[LifecycleEvent, RunStatus]> = [
  ['external-running', 'RUNNING'],
  ['external-finish', 'SUCCEEDED'],
  ['external-fail', 'FAILED'],
  ['external-kill', 'CANCELED'],
];

export const TRANSITIONS: readonly Transition[] = [
  { from: null, event: 'queue', to: 'QUEUED' },
  { from: null, event: 'start-external', to: 'RUNNING' },
  { from: 'QUEUED', event: 'claim', to: 'RUNNING' },
  { from: 'QUEUED', event: 'cancel', to: 'CANCELED' },
  { from: 'RUNNING', event: 'heartbeat', to: 'RUNNING' },
  { from: 'RUNNING', event: 'progress', to: 'RUNNING' },
  { from: 'RUNNING', event: 'checkpoint', to: 'RUNNING' },
  { from: 'RUNNING', event: 'request-cancel', to: 'RUNNING' },
  { from: 'RUNNING', event: 'reap-requeue', to: 'QUEUED' },
  { from: 'RUNNING', event: 'reap-cancel', to: 'CANCELED' },
  { from: 'RUNNING', event: 'reap-fail', to: 'FAILED' },
  { from: 'RUNNING', event: 'shutdown-requeue', to: 'QUEUED' },
  { from: 'RUNNING', event: 'succeed', to: 'SUCCEEDED' },
  { from: 'RUNNING', event: 'stop-canceled', to: 'CANCELED' },
  { from: 'RUNNING', event: 'prune', to: 'PRUNED' },
  { from: 'RUNNING', event: 'fail', to: 'FAILED' },
  { from: 'FAILED', event: 'retry', to: 'QUEUED' },
  { from: 'CANCELED', event: 'retry', to: 'QUEUED' },
  ...EXTERNAL_STATES.flatMap((from) => EXTERNAL_EVENTS.map(([event, to]) => ({ from, event, to }))),
];

/** The states an event may start from (the WHERE of its UPDATE). */
export function fromStates(event: LifecycleEvent): RunStatus[] {
  return TRANSITIONS.filter((t) => t.event === event && t.from !== null).map((t) => t.from!);
}

/** The state an event leads to (each event has exactly one). */
export function targetOf(event: LifecycleEvent): RunStatus {
  const t = TRANSITIONS.find((x) => x.event === event);
  if (!t) throw new Error(`unknown run event '${event}'`);
  return t.to;
}

export function canTransition(from: RunStatus | null, event: LifecycleEvent): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.event === event);
}

/** Whether the table allows going from one stored status to another by some event. */
export function isAllowedChange(from: RunStatus | null, to: RunStatus): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.to === to);
}

/** The table as a mermaid state diagram: one line per pair of states, events in table order. */
export function lifecycleMermaid(): string {
  const edges = new Map<string, LifecycleEvent[]>();
  for (const t of TRANSITIONS) {
    const k = `${t.from ?? '[*]'} --> ${t.to}`;
    edges.set(k, [...(edges.get(k) ?? []), t.event]);
  }
  return ['stateDiagram-v2', ...[...edges].map(([k, events]) => `  ${k}: ${events.join(', ')}`)].join('\n');
}

export type Db = PrismaClient | Prisma.TransactionClient;
type Tx = Prisma.TransactionClient;

export interface RunState {
  status: RunStatus;
  attempt: number;
}

/**
 * What a transition did. `superseded`: the caller's attempt is no longer the run's; `illegal`:
 * the run is in a state the event cannot start from; `changed`: same state and attempt, but a
 * guard the caller relied on moved (a newer heartbeat, a cancel request); `not-found`.
 */
export type TransitionResult =
  { ok: true; event: LifecycleEvent; status: RunStatus; attempt: number } | { ok: false; event: LifecycleEvent; reason: 'superseded' | 'illegal' | 'changed' | 'not-found'; current: RunState | null };

export type Rejected = Extract<TransitionResult, { ok: false }>;

function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return '$transaction' in db && typeof db.$transaction === 'function' ? (db as PrismaClient).$transaction(fn) : fn(db as Tx);
}

/** The NOTIFY every status change sends: the status is the one now stored. */
async function notifyStatus(tx: Tx, runId: string, status: RunStatus, attempt: number) {
  await tx.$executeRaw`SELECT pg_notify(${RUNS_CHANNEL}, ${JSON.stringify({ runId, type: 'run', status, attempt })})`;
}

const changesStatus = (event: LifecycleEvent) => TRANSITIONS.some((t) => t.event === event && t.from !== t.to);

/**
 * The compare-and-set every transition is: UPDATE … WHERE id, status IN (from-states of the
 * event), attempt = the caller's (when it holds one) and any extra guard. On success it notifies
 * the resulting status; on failure it reads the run to say why nothing changed.
 */
async function transition(
  tx: Tx,
  event: LifecycleEvent,
  runId: string,
  attempt: number | undefined,
  data: Prisma.RunUpdateManyMutationInput,
  guard: Prisma.RunWhereInput = {},
): Promise<TransitionResult> {
  const from = fromStates(event);
  const to = targetOf(event);
  const changed = await tx.run.updateMany({
    where: { ...guard, id: runId, status: { in: from }, ...(attempt !== undefined ? { attempt } : {}) },
    data: { ...data, status: to },
  });
  if (changed.count !== 1) return rejected(tx, event, runId, attempt);
  const now = typeof data.attempt === 'number' ? data.attempt : (attempt ?? (await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { attempt: true } })).attempt);
  if (changesStatus(event)) await notifyStatus(tx, runId, to, now);
  return { ok: true, event, status: to, attempt: now };
}

async function rejected(tx: Tx, event: LifecycleEvent, runId: string, attempt: number | undefined): Promise<Rejected> {
  const current = await tx.run.findUnique({ where: { id: runId }, select: { status: true, attempt: true } });
  if (!current) return { ok: false, event, reason: 'not-found', current: null };
  if (attempt !== undefined && current.attempt !== attempt) return { ok: false, event, reason: 'superseded', current };
  if (!fromStates(event).includes(current.status)) return { ok: false, event, reason: 'illegal', current };
  return { ok: false, event, reason: 'changed', current };
}

/** Fenced writes by a worker name the run and the attempt it claimed. */
export interface AttemptRef {
  runId: string;
  attempt: number;
}

/**
 * "Queue again at attempt + 1", the one place it happens: after a lost worker, on a worker's
 * shutdown and on a user's retry. The job for the new attempt is added in the same transaction.
 */
async function requeueNextAttempt(
  tx: Tx,
  event: 'reap-requeue' | 'shutdown-requeue' | 'retry',
  run: AttemptRef & { priority: number },
  opts: { now: Date; priorityBoost: number; data?: Prisma.RunUpdateManyMutationInput; guard?: Prisma.RunWhereInput },
): Promise<TransitionResult> {
  const attempt = run.attempt + 1;
  const r = await transition(tx, event, run.runId, run.attempt, { ...opts.data, attempt, workerId: null, queuedAt: opts.now }, opts.guard);
  if (r.ok) await tx.$executeRaw(enqueueTrainSql({ runId: run.runId, attempt }, run.priority + opts.priorityBoost));
  return r;
}

// ---------------------------------------------------------------------------------------------
// New runs

/** Inserts a run QUEUED at attempt 0 with its job (call inside the transaction that numbers it). */
export async function queueNewRun(db: Db, data: Omit<Prisma.RunUncheckedCreateInput, 'status' | 'attempt'>): Promise<Run> {
  return inTransaction(db, async (tx) => {
    const run = await tx.run.create({ data: { ...data, status: targetOf('queue'), attempt: 0 } });
    await tx.$executeRaw(enqueueTrainSql({ runId: run.id, attempt: 0 }, run.priority));
    await notifyStatus(tx, run.id, run.status, run.attempt);
    return run;
  });
}

/** Inserts an external run, RUNNING from the start (no worker, no job). */
export async function startExternalRun(db: Db, data: Omit<Prisma.RunUncheckedCreateInput, 'status'>): Promise<Run> {
  return inTransaction(db, async (tx) => {
    const run = await tx.run.create({ data: { ...data, status: targetOf('start-external'), source: 'external' } });
    await notifyStatus(tx, run.id, run.status, run.attempt);
    return run;
  });
}

// ---------------------------------------------------------------------------------------------
// A worker's attempt

/** Only the job for the run's current attempt may start it; a canceled run is never claimed. */
export async function claimRun(db: Db, ref: AttemptRef & { workerId: string; backend?: string; device?: string; now?: Date }): Promise<TransitionResult> {
  const now = ref.now ?? new Date();
  return inTransaction(db, (tx) =>
    transition(tx, 'claim', ref.runId, ref.attempt, { workerId: ref.workerId, startedAt: now, heartbeatAt: now, backend: ref.backend, device: ref.device }, { cancelRequestedAt: null }),
  );
}

/** Liveness of the attempt; also tells the worker whether a cancel was requested (the row is the truth, NOTIFY only a hint). */
export async function heartbeatRun(db: Db, ref: AttemptRef & { now?: Date }): Promise<TransitionResult & { cancelRequested: boolean }> {
  return inTransaction(db, async (tx) => {
    const r = await transition(tx, 'heartbeat', ref.runId, ref.attempt, { heartbeatAt: ref.now ?? new Date() });
    if (!r.ok) return { ...r, cancelRequested: false };
    const row = await tx.run.findUniqueOrThrow({ where: { id: ref.runId }, select: { cancelRequestedAt: true } });
    return { ...r, cancelRequested: row.cancelRequestedAt !== null };
  });
}

/** The attempt's progress (epoch, ETA, samples), fenced like every other write of a worker. */
export async function recordProgress(db: Db, ref: AttemptRef & { progress: Record<string, unknown> }): Promise<TransitionResult> {
  return inTransaction(db, async (tx) => {
    const r = await transition(tx, 'progress', ref.runId, ref.attempt, { progress: ref.progress as Prisma.InputJsonValue });
    if (r.ok) await tx.$executeRaw`SELECT pg_notify(${RUNS_CHANNEL}, ${JSON.stringify({ runId: ref.runId, type: 'run', progress: ref.progress })})`;
    return r;
  });
}

export interface CheckpointRecord {
  epoch: number;
  kind: string;
  key: string;
  metric: string | null;
  value: number | null;
  sizeBytes: bigint;
}

/**
 * A checkpoint the attempt saved. A 'best' checkpoint replaces the previous best: their keys are
 * returned so the caller deletes their files. A superseded attempt's checkpoint is not recorded
 * (the caller deletes its files), so a resume never starts from a stale attempt's weights.
 */
export async function recordCheckpoint(db: Db, ref: AttemptRef & { checkpoint: CheckpointRecord; now?: Date }): Promise<TransitionResult & { checkpointId?: string; replacedKeys: string[] }> {
  return inTransaction(db, async (tx) => {
    // Holding the row lock until commit: a reaper cannot requeue the run halfway through.
    const r = await transition(tx, 'checkpoint', ref.runId, ref.attempt, { heartbeatAt: ref.now ?? new Date() });
    if (!r.ok) return { ...r, replacedKeys: [] };
    const cp = ref.checkpoint;
    let replacedKeys: string[] = [];
    if (cp.kind === 'best') {
      const previous = await tx.checkpoint.findMany({ where: { runId: ref.runId, kind: 'best' }, select: { key: true } });
      await tx.checkpoint.deleteMany({ where: { runId: ref.runId, kind: 'best' } });
      replacedKeys = previous.map((p) => p.key).filter((k) => k !== cp.key);
    }
    const created = await tx.checkpoint.create({ data: { runId: ref.runId, ...cp }, select: { id: true } });
    return { ...r, checkpointId: created.id, replacedKeys };
  });
}

/**
 * The worker stops for good: SUCCEEDED, CANCELED (a user's request) or PRUNED (its sweep's early
 * stopping), with what it learned.
 */
export async function finishRun(
  db: Db,
  ref: AttemptRef & { status: 'SUCCEEDED' | 'CANCELED' | 'PRUNED'; data?: Pick<Prisma.RunUpdateManyMutationInput, 'evaluation' | 'backend' | 'environment'>; now?: Date },
): Promise<TransitionResult> {
  const event: LifecycleEvent = ref.status === 'SUCCEEDED' ? 'succeed' : ref.status === 'PRUNED' ? 'prune' : 'stop-canceled';
  return inTransaction(db, (tx) => transition(tx, event, ref.runId, ref.attempt, { ...ref.data, finishedAt: ref.now ?? new Date() }));
}

export async function failRun(db: Db, ref: AttemptRef & { error: string; now?: Date }): Promise<TransitionResult> {
  return inTransaction(db, (tx) => transition(tx, 'fail', ref.runId, ref.attempt, { finishedAt: ref.now ?? new Date(), error: ref.error.slice(0, 5000) }));
}

/**
 * The worker shuts down mid-run: the run goes to the next worker, which resumes from the last
 * checkpoint (one more attempt allowed, since this one was not the run's fault). If a cancel was
 * requested meanwhile, the run ends CANCELED instead of being queued with a pending cancel.
 */
export async function requeueOnShutdown(db: Db, ref: AttemptRef & { now?: Date }): Promise<TransitionResult> {
  const now = ref.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const run = await tx.run.findUnique({ where: { id: ref.runId }, select: { priority: true, maxAttempts: true, cancelRequestedAt: true } });
    if (!run) return rejected(tx, 'shutdown-requeue', ref.runId, ref.attempt);
    if (run.cancelRequestedAt) return transition(tx, 'stop-canceled', ref.runId, ref.attempt, { finishedAt: now });
    const r = await requeueNextAttempt(
      tx,
      'shutdown-requeue',
      { ...ref, priority: run.priority },
      {
        now,
        priorityBoost: 1,
        data: { maxAttempts: Math.max(run.maxAttempts, ref.attempt + 2) },
        guard: { cancelRequestedAt: null },
      },
    );
    if (!r.ok && r.reason === 'changed') return transition(tx, 'stop-canceled', ref.runId, ref.attempt, { finishedAt: now });
    return r;
  });
}

// ---------------------------------------------------------------------------------------------
// The reaper

export interface StaleRun {
  id: string;
  attempt: number;
  maxAttempts: number;
  priority: number;
  heartbeatAt: Date | null;
  cancelRequestedAt: Date | null;
}

/**
 * A run whose worker stopped heartbeating: queued again while attempts are left, else FAILED
 * with `messages.error` — or CANCELED when a cancel was requested (and notified as CANCELED).
 * Guarded by the heartbeat the reaper saw, so a run that heartbeated meanwhile is left alone.
 */
export async function reapRun(db: Db, run: StaleRun, opts: { now: Date; messages: { requeued: string; notRetried: string; error: string } }): Promise<TransitionResult> {
  return inTransaction(db, async (tx) => {
    const guard = { heartbeatAt: run.heartbeatAt };
    const canRetry = run.attempt + 1 < run.maxAttempts && !run.cancelRequestedAt;
    const r = canRetry
      ? await requeueNextAttempt(tx, 'reap-requeue', { runId: run.id, attempt: run.attempt, priority: run.priority }, { now: opts.now, priorityBoost: 1, guard })
      : run.cancelRequestedAt
        ? await transition(tx, 'reap-cancel', run.id, run.attempt, { finishedAt: opts.now, error: null }, guard)
        : await transition(tx, 'reap-fail', run.id, run.attempt, { finishedAt: opts.now, error: opts.messages.error }, guard);
    if (r.ok) await tx.runLog.create({ data: { runId: run.id, level: 'warn', message: canRetry ? opts.messages.requeued : opts.messages.notRetried } });
    return r;
  });
}

// ---------------------------------------------------------------------------------------------
// Users' actions

/**
 * A queued run is canceled at once (its job removed); a running one is asked to stop at its next
 * batch (the row, plus a NOTIFY to the workers). Retries when the run moved between read and write.
 */
export async function cancelRun(db: Db, runId: string): Promise<{ ok: true; status: 'CANCELED' | 'CANCELING' } | Rejected> {
  return inTransaction(db, async (tx) => {
    for (let i = 0; i < 5; i++) {
      const run = await tx.run.findUnique({ where: { id: runId }, select: { status: true, attempt: true, cancelRequestedAt: true } });
      if (!run) return { ok: false, event: 'cancel', reason: 'not-found', current: null };
      if (canTransition(run.status, 'cancel')) {
        const now = new Date();
        const r = await transition(tx, 'cancel', runId, run.attempt, { cancelRequestedAt: now, finishedAt: now });
        if (!r.ok) continue;
        await tx.$executeRaw`SELECT graphile_worker.remove_job(${`${runId}:${run.attempt}`}::text)`;
        return { ok: true, status: 'CANCELED' };
      }
      if (canTransition(run.status, 'request-cancel')) {
        if (run.cancelRequestedAt) return { ok: true, status: 'CANCELING' };
        const r = await transition(tx, 'request-cancel', runId, run.attempt, { cancelRequestedAt: new Date() }, { cancelRequestedAt: null });
        if (!r.ok) continue;
        await tx.$executeRaw`SELECT pg_notify(${CANCEL_CHANNEL}, ${runId})`;
        return { ok: true, status: 'CANCELING' };
      }
      return { ok: false, event: 'cancel', reason: 'illegal', current: { status: run.status, attempt: run.attempt } };
    }
    return rejected(tx, 'cancel', runId, undefined);
  });
}

/** A failed or canceled run, queued again as the same run's next attempt (with two more attempts of its own). */
export async function retryRun(db: Db, ref: AttemptRef & { now?: Date }): Promise<TransitionResult> {
  return inTransaction(db, async (tx) => {
    const run = await tx.run.findUnique({ where: { id: ref.runId }, select: { priority: true } });
    if (!run) return rejected(tx, 'retry', ref.runId, ref.attempt);
    return requeueNextAttempt(
      tx,
      'retry',
      { ...ref, priority: run.priority },
      {
        now: ref.now ?? new Date(),
        priorityBoost: 0,
        data: { error: null, cancelRequestedAt: null, finishedAt: null, startedAt: null, maxAttempts: ref.attempt + 3 },
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// External runs

const EXTERNAL_EVENT_OF: Record<'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED', LifecycleEvent> = {
  RUNNING: 'external-running',
  SUCCEEDED: 'external-finish',
  FAILED: 'external-fail',
  CANCELED: 'external-kill',
};

/**
 * The status an external client reports (already mapped to ours: FINISHED → SUCCEEDED, KILLED →
 * CANCELED). A final status sets finishedAt; RUNNING reopens the run. `data` (name, error) is
 * written in the same UPDATE. Only runs whose source is 'external' accept it.
 */
export async function reportExternalStatus(
  db: Db,
  ref: AttemptRef & { status: keyof typeof EXTERNAL_EVENT_OF; finishedAt: Date | null; data?: Pick<Prisma.RunUpdateManyMutationInput, 'name' | 'error'> },
): Promise<TransitionResult> {
  return inTransaction(db, (tx) => transition(tx, EXTERNAL_EVENT_OF[ref.status], ref.runId, ref.attempt, { ...ref.data, finishedAt: ref.finishedAt }, { source: 'external' }));
}
