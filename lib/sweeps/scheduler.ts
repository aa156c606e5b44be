/**
 * The sweep scheduler: a search space turned into runs. `advanceSweep` is called when a sweep is
 * created (web), whenever one of its runs ends (the worker, after finalising a run), and by a
 * periodic tick (workers and web servers) that catches runs ended elsewhere (a queued run
 * canceled, a run failed by the reaper). It runs on the caller's database handle, so the worker
 * needs no second pool. Each new run is inserted in a transaction that first locks the sweep row
 * (SELECT … FOR UPDATE) and re-counts its runs, so two workers finishing at once never exceed the
 * budget or the parallelism limit.
 */
import type { PrismaClient } from '@prisma/client';
import { failureStreaks } from '@/lib/log';
import { can } from '@/lib/roles';
import { UserError } from '@/lib/errors';
import { createQueuedRun } from '@/lib/runs/create-run';
import { ZCreateRunInput } from '@/lib/schemas/run-input';
import type { RunConfig } from '@/lib/schemas/runs';
import { ZSweepSpace, type SweepMethod } from '@/lib/schemas/sweeps';
import { describeParams, trialConfig, trialParams, type TrialParams } from '@/lib/sweeps/space';

/** The slot a trial hoped for was taken meanwhile (or the sweep stopped): decide again. */
class SlotTaken extends Error {}

function settingsOf(sweep: { method: string; seed: number; space: unknown; maxRuns: number }) {
  return { method: sweep.method as SweepMethod, seed: sweep.seed, space: ZSweepSpace.parse(sweep.space), maxRuns: sweep.maxRuns };
}

async function stopSweep(db: PrismaClient, sweepId: string, status: 'FINISHED' | 'CANCELLED', reason: string | null) {
  await db.sweep.updateMany({ where: { id: sweepId, status: 'RUNNING' }, data: { status, reason, finishedAt: new Date() } });
}

async function trialCounts(db: Pick<PrismaClient, '$queryRaw'>, sweepId: string) {
  const [row] = await db.$queryRaw<{ active: bigint; issued: number }[]>`
    SELECT count(*) FILTER (WHERE status IN ('QUEUED', 'RUNNING')) AS active, coalesce(max("sweepTrial") + 1, 0)::int AS issued
    FROM "Run" WHERE "sweepId" = ${sweepId}`;
  return { active: Number(row?.active ?? 0), issued: row?.issued ?? 0 };
}

/**
 * Queues the sweep's next trials while it has budget and parallelism left; marks it FINISHED
 * once every trial has been made and none is queued or running. Returns the runs it queued. A
 * trial that cannot be queued cancels the sweep with the reason; when it is the first trial, its
 * user error is thrown too, so creating the sweep fails with it.
 */
export async function advanceSweep(db: PrismaClient, sweepId: string): Promise<{ queued: string[] }> {
  const queued: string[] = [];
  for (let round = 0; round < 1000; round++) {
    const sweep = await db.sweep.findUnique({ where: { id: sweepId } });
    if (!sweep || sweep.status !== 'RUNNING') break;
    const { active, issued } = await trialCounts(db, sweep.id);
    if (issued >= sweep.maxRuns) {
      if (active === 0) await stopSweep(db, sweep.id, 'FINISHED', null);
      break;
    }
    if (active >= sweep.parallelism) break;

    const membership = sweep.createdById ? await db.membership.findUnique({ where: { teamId_userId: { teamId: sweep.teamId, userId: sweep.createdById } } }) : null;
    if (!membership || !can.write(membership.role)) {
      await stopSweep(db, sweep.id, 'CANCELLED', 'the sweep’s creator can no longer start runs in this team');
      break;
    }
    const trial = issued;
    let params: TrialParams;
    let config: RunConfig;
    try {
      params = trialParams(settingsOf(sweep), trial);
      config = trialConfig(sweep.config, params);
    } catch (err) {
      await stopSweep(db, sweep.id, 'CANCELLED', `trial ${trial + 1}: ${(err as Error).message}`);
      break;
    }
    try {
      const created = await createQueuedRun(db, {
        teamId: sweep.teamId,
        userId: membership.userId,
        input: ZCreateRunInput.parse({
          projectId: sweep.projectId,
          name: `${sweep.name} · trial ${trial + 1}`,
          architectureId: sweep.architectureId,
          architectureVersion: sweep.architectureVersion,
          datasetId: sweep.datasetId ?? undefined,
          datasetVersion: sweep.datasetVersion ?? undefined,
          config,
          notes: `Trial ${trial + 1} of sweep “${sweep.name}”: ${describeParams(params)}`,
        }),
        sweep: {
          id: sweep.id,
          trial,
          claim: async (tx) => {
            const [row] = await tx.$queryRaw<{ status: string }[]>`SELECT status::text FROM "Sweep" WHERE id = ${sweep.id} FOR UPDATE`;
            if (row?.status !== 'RUNNING') throw new SlotTaken();
            const now = await trialCounts(tx, sweep.id);
            if (now.issued !== trial || now.issued >= sweep.maxRuns || now.active >= sweep.parallelism) throw new SlotTaken();
          },
        },
      });
      queued.push(created.id);
    } catch (err) {
      if (err instanceof SlotTaken) continue;
      if (!(err instanceof UserError)) throw err;
      await stopSweep(db, sweep.id, 'CANCELLED', `trial ${trial + 1} (${describeParams(params)}) could not be queued: ${err.message}`);
      if (trial === 0) throw err;
      break;
    }
  }
  return { queued };
}

/** Per-sweep failure streaks of the periodic tick (lib/log): one line when a sweep starts failing, one when it recovers. */
export type SweepUpkeep = ReturnType<typeof failureStreaks>;
export const sweepUpkeep = (log?: (line: string) => void): SweepUpkeep => failureStreaks((id) => `advancing sweep ${id}`, log);
const defaultUpkeep = sweepUpkeep();

/** The periodic tick: advances every running sweep that has room or is done. Returns how many it looked at. */
export async function advanceRunningSweeps(db: PrismaClient, upkeep: SweepUpkeep = defaultUpkeep): Promise<number> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT s.id FROM "Sweep" s
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE r.status IN ('QUEUED', 'RUNNING')) AS active, coalesce(max(r."sweepTrial") + 1, 0) AS issued
      FROM "Run" r WHERE r."sweepId" = s.id
    ) c ON true
    WHERE s.status = 'RUNNING' AND (c.issued >= s."maxRuns" AND c.active = 0 OR c.issued < s."maxRuns" AND c.active < s.parallelism)`;
  // One sweep's failure must not stop the others from advancing; the tick retries it each time,
  // so its failure is logged once, then its recovery.
  for (const r of rows) await upkeep.run(r.id, () => advanceSweep(db, r.id));
  return rows.length;
}
