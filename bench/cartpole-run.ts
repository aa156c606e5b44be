/**
 * CartPole through the real queue: the policy-network template saved as an architecture, a
 * reinforcement run created with the runs service, trained by a worker (one in this process
 * when none is online), and the figures read back from the run's evaluation and metric series.
 * Uses the database and team/project `deepboard train` uses. Prints figures; asserts nothing.
 *
 *   node bin/run-ts.mjs bench/cartpole-run.ts [algorithm=reinforce|actor-critic] [episodes=1000] [seed=1] [stopWhenSolved=true]
 */
import { getTemplate } from '@/lib/arch/templates';
import { prisma } from '@/lib/db/client';
import { parseEvaluation } from '@/lib/runs/reports';
import { isReinforcementEvaluation, type ReinforcementEvaluation } from '@/lib/schemas/run-documents';
import { DEFAULT_LEARNING_RATE, ZRlSettings } from '@/lib/schemas/runs';
import { saveArchitecture } from '@/server/cli/shared/architectures';
import { openDatabase, startInProcessWorker } from '@/server/cli/shared/database';
import { resolvePlace } from '@/server/cli/shared/place';
import { waitForRun } from '@/server/cli/shared/wait-for-run';
import { createRun } from '@/server/services/runs';
import { countOnlineWorkers } from '@/server/services/workers';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const rl = ZRlSettings.parse({
  algorithm: args.algorithm ?? 'reinforce',
  episodes: Number(args.episodes ?? 1000),
  stopWhenSolved: (args.stopWhenSolved ?? 'true') === 'true',
});
const seed = Number(args.seed ?? 1);

const db = await openDatabase((l) => console.error(l));
let worker: Awaited<ReturnType<typeof startInProcessWorker>> | null = null;
try {
  const place = await resolvePlace({}, process.env);
  const spec = getTemplate('policy-network').build({ inputShape: [4], task: 'multiclass', numClasses: 2 });
  const arch = await saveArchitecture({ place, spec, base: 'policy-network (CartPole)', description: 'Template policy-network for CartPole', errorPrefix: 'policy-network' });
  const online = await countOnlineWorkers();
  const run = await createRun({
    teamId: place.teamId,
    userId: place.userId,
    role: 'OWNER',
    input: { projectId: place.projectId, architectureId: arch.id, architectureVersion: arch.version, config: { paradigm: 'reinforcement', seed, rl }, tags: ['bench'] },
  });
  if (online === 0) worker = await startInProcessWorker(db.url);
  const started = performance.now();
  const done = await waitForRun(run.id, place, null, () => worker?.failed() ?? null);
  const wall = (performance.now() - started) / 1000;
  const stored = parseEvaluation(done.evaluation).value;
  const ev: Partial<ReinforcementEvaluation> = isReinforcementEvaluation(stored) ? stored : {};
  const series = await prisma.metricSeries.findMany({ where: { runId: run.id, key: { in: ['mean_return', 'return', 'length'] } } });
  const last = (key: string) => series.find((s) => s.key === key)?.last ?? null;
  const steps = await prisma.$queryRaw<{ total: number }[]>`
    SELECT COALESCE(SUM(p.value), 0)::float AS total FROM "MetricPoint" p JOIN "MetricSeries" s ON s.id = p."seriesId" WHERE s."runId" = ${run.id} AND s.key = 'length'`;
  console.log(
    [
      `run #${done.number} ${done.status}${done.error ? ` (${done.error})` : ''} on ${done.backend} (${worker ? 'in-process worker' : 'existing worker'})`,
      `${rl.algorithm}, seed ${seed}, lr ${DEFAULT_LEARNING_RATE.reinforcement}, gamma ${rl.gamma}, max ${rl.maxSteps} steps, solved = mean ≥ ${rl.solveThreshold} over ${rl.solveWindow} episodes`,
      ev.solvedAt ? `solved at episode ${ev.solvedAt}` : `not solved in ${ev.episodes ?? '?'} episodes`,
      `episodes run ${ev.episodes ?? '?'}, ${Math.round(steps[0]?.total ?? 0)} environment steps`,
      `100-episode mean return at the end ${last('mean_return')?.toFixed(1)}, best ${ev.bestMeanReturn?.toFixed(1) ?? '—'}, last episode ${last('return')}`,
      `training ${done.startedAt && done.finishedAt ? ((done.finishedAt.getTime() - done.startedAt.getTime()) / 1000).toFixed(1) : '?'} s, wall ${wall.toFixed(1)} s`,
      `run ${run.id}: /t/${place.teamSlug}/projects/${place.projectSlug}/runs/${run.id}`,
    ].join('\n'),
  );
} finally {
  await worker?.stop();
  await db.close();
}
