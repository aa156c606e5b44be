import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { logMetrics } from '@/lib/tracking/metrics';
import { searchRuns } from '@/server/services/run-search';
import { searchCache } from '@/server/services/search-cache';
import { makeProject, makeStoredRun, makeTeam } from '../helpers/factories';

/**
 * The runs-table cache: answers are reused while nothing in the project changes, and every kind
 * of change made elsewhere (straight to the database, as a worker or another server would) is
 * seen within moments — through the metric writes' notifications and the triggers on runs and
 * on the names a table shows — never only after the entries expire (5 s).
 */
let team: Awaited<ReturnType<typeof makeTeam>>;
let projectId: string;
let otherProjectId: string;
const cache = searchCache();

async function run(project: string, number: number, name: string) {
  return makeStoredRun({ ...team, project: { id: project } }, { number, name, config: { learningRate: 0.01 * number }, status: 'SUCCEEDED' });
}

const search = (query?: string, project = projectId) =>
  searchRuns({ teamId: team.team.id, projectId: project, query, sort: [{ field: 'number', dir: 'asc' }], page: 1, pageSize: 50, columns: { metrics: ['val_accuracy'], params: ['learningRate'] } });

/** Searches until `ok` holds, for at most 1.5 s (well under the entries' 5 s life). */
async function eventually(query: string | undefined, ok: (r: Awaited<ReturnType<typeof search>>) => boolean) {
  const end = Date.now() + 1500;
  for (;;) {
    const r = await search(query);
    if (ok(r)) return r;
    if (Date.now() > end) throw new Error(`not seen within 1.5 s: ${JSON.stringify(r.rows.map((x) => [x.number, x.name, x.metrics, x.user?.name]))}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

beforeAll(async () => {
  process.env.DEEPBOARD_SEARCH_CACHE = '1';
  team = await makeTeam();
  projectId = (await makeProject(team, 'Cached')).id;
  otherProjectId = (await makeProject(team, 'Other')).id;
  await run(projectId, 1, 'alpha');
  await run(projectId, 2, 'beta');
  await run(otherProjectId, 1, 'elsewhere');
  expect(await cache.ready()).toBe(true);
});

afterAll(async () => {
  await cache.close();
  process.env.DEEPBOARD_SEARCH_CACHE = '0';
});

describe('the runs-table cache', () => {
  it('answers a repeated query from the cache, and another project’s change leaves it there', async () => {
    await search();
    const before = { ...cache.stats };
    const again = await search();
    expect(again.rows.map((r) => r.name)).toEqual(['alpha', 'beta']);
    expect(cache.stats.hits).toBe(before.hits + 1);
    await prisma.run.updateMany({ where: { projectId: otherProjectId }, data: { name: 'renamed elsewhere' } });
    await new Promise((res) => setTimeout(res, 200));
    const hits = cache.stats.hits;
    await search();
    expect(cache.stats.hits).toBe(hits + 1);
  });

  it('sees a run renamed, added and deleted straight in the database (the triggers on Run)', async () => {
    await search();
    await prisma.run.updateMany({ where: { projectId, number: 1 }, data: { name: 'alpha renamed' } });
    await eventually(undefined, (r) => r.rows[0]?.name === 'alpha renamed');
    const gamma = await run(projectId, 3, 'gamma');
    await eventually(undefined, (r) => r.total === 3);
    await prisma.run.delete({ where: { id: gamma.id } });
    await eventually(undefined, (r) => r.total === 2);
  });

  it('sees new metric values, in the rows and in a filter on them (the metric writes’ notifications)', async () => {
    const beta = await prisma.run.findFirstOrThrow({ where: { projectId, number: 2 } });
    expect((await search('metrics.val_accuracy > 0.5')).total).toBe(0);
    await logMetrics(prisma, beta.id, [{ key: 'accuracy', context: 'validation', step: 1, value: 0.9 }]);
    const r = await eventually('metrics.val_accuracy > 0.5', (x) => x.total === 1);
    expect(r.rows[0]!.metrics.val_accuracy?.last).toBe(0.9);
    await logMetrics(prisma, beta.id, [{ key: 'accuracy', context: 'validation', step: 2, value: 0.1 }]);
    await eventually('metrics.val_accuracy > 0.5', (x) => x.total === 0);
  });

  it('sees a renamed user (the trigger on the names a table shows)', async () => {
    await search();
    await prisma.user.update({ where: { id: team.owner.id }, data: { name: 'Renamed Owner' } });
    await eventually(undefined, (r) => r.rows.every((x) => x.user?.name === 'Renamed Owner'));
  });

  it('computes every query while it is off', async () => {
    process.env.DEEPBOARD_SEARCH_CACHE = '0';
    try {
      const misses = cache.stats.misses;
      const hits = cache.stats.hits;
      await search();
      await search();
      expect(cache.stats).toEqual({ hits, misses });
    } finally {
      process.env.DEEPBOARD_SEARCH_CACHE = '1';
    }
  });
});
