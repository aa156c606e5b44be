import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { Prisma, RunStatus } from '@prisma/client';
import { prisma } from '@/lib/db/client';
import { logMetrics, type MetricPointInput } from '@/lib/tracking/metrics';
import { DomainError } from '@/server/services/errors';
import { availableColumns, searchRuns, type SearchRunsArgs } from '@/server/services/run-search';
import type { PublicUser } from '@/server/services/users';
import { addMember, makeProject, makeTeam, makeUser } from '../helpers/factories';

/**
 * Five runs in one project of team A (two users, tags, configs, architectures, datasets, metric
 * summaries, one run with no creator, configs with a non-numeric learning rate), and a twin in
 * team B that matches every query, to prove it never comes back.
 */
const NOW = new Date('2024-03-01T12:00:00.000Z');
const MALICIOUS = `'; drop table "Run"; --`;

let teamId: string;
let projectId: string;
let otherTeamId: string;
let otherProjectId: string;
let ana: PublicUser;
let bob: PublicUser;

const at = (iso: string) => new Date(iso);
const plus = (d: Date, seconds: number) => new Date(d.getTime() + seconds * 1000);

async function makeArchitecture(team: string, project: string, name: string) {
  const arch = await prisma.architecture.create({ data: { teamId: team, projectId: project, name, kind: 'mlp' } });
  return prisma.architectureVersion.create({ data: { architectureId: arch.id, version: 1, spec: {}, totalParams: 10, trainableParams: 10, layerCount: 2 } });
}

async function makeDataset(team: string, project: string, name: string) {
  const ds = await prisma.dataset.create({ data: { teamId: team, projectId: project, name, kind: 'tabular' } });
  return prisma.datasetVersion.create({ data: { datasetId: ds.id, version: 1, source: {}, schema: {}, rowCount: 150, profile: {}, split: {}, artifacts: {} } });
}

interface SeedRun {
  number: number;
  name: string;
  status: RunStatus;
  createdById: string | null;
  tags: string[];
  config: Prisma.InputJsonValue;
  architectureVersionId?: string;
  datasetVersionId?: string;
  backend?: string;
  device?: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  metrics?: MetricPointInput[];
}

async function makeRun(team: string, project: string, r: SeedRun) {
  const { metrics, ...data } = r;
  const run = await prisma.run.create({ data: { ...data, teamId: team, projectId: project, paradigm: 'supervised' } });
  if (metrics) await logMetrics(prisma, run.id, metrics);
  return run;
}

const series = (key: string, values: number[], context?: MetricPointInput['context']) => values.map((value, step) => ({ key, context, step, value }));

beforeAll(async () => {
  const a = await makeTeam(await makeUser('Ana Lima'));
  teamId = a.team.id;
  ana = a.owner;
  bob = await addMember(teamId, 'MEMBER', await makeUser('Bob Builder'));
  projectId = (await makeProject(a, 'Search')).id;
  const mlp = await makeArchitecture(teamId, projectId, 'MLP');
  const cnn = await makeArchitecture(teamId, projectId, 'CNN');
  const iris = await makeDataset(teamId, projectId, 'Iris');

  const t1 = at('2024-01-05T10:00:00Z');
  const t2 = at('2024-01-06T09:00:00Z');
  const t3 = at('2024-02-01T08:00:00Z');
  await makeRun(teamId, projectId, {
    number: 1,
    name: 'mlp-baseline',
    status: 'SUCCEEDED',
    createdById: ana.id,
    tags: ['baseline'],
    config: { paradigm: 'supervised', learningRate: 0.001, batchSize: 32, epochs: 10, optimizer: { name: 'adam', beta1: 0.9 } },
    architectureVersionId: mlp.id,
    datasetVersionId: iris.id,
    backend: 'wasm',
    device: 'CPU ×2 (AMD EPYC)',
    createdAt: t1,
    startedAt: t1,
    finishedAt: plus(t1, 120),
    metrics: [...series('loss', [1, 0.4, 0.3]), ...series('accuracy', [0.8, 0.95, 0.93], 'validation'), ...series('accuracy', [0.91], 'test'), ...series('memory', [100], 'system')],
  });
  await makeRun(teamId, projectId, {
    number: 2,
    name: 'mlp-high-lr',
    status: 'FAILED',
    createdById: ana.id,
    tags: [],
    config: { paradigm: 'supervised', learningRate: 0.1, batchSize: 64, optimizer: { name: 'sgd' } },
    architectureVersionId: mlp.id,
    backend: 'cpu',
    createdAt: t2,
    startedAt: t2,
    finishedAt: plus(t2, 30),
    // Diverged: the last loss is NaN, which must neither match nor sort first.
    metrics: [...series('loss', [2, Number.NaN]), ...series('accuracy', [0.5], 'validation')],
  });
  await makeRun(teamId, projectId, {
    number: 3,
    name: 'cnn-wide',
    status: 'SUCCEEDED',
    createdById: bob.id,
    tags: ['baseline', 'cnn'],
    config: { paradigm: 'supervised', learningRate: 0.005, batchSize: 32, optimizer: { name: 'adam' } },
    architectureVersionId: cnn.id,
    datasetVersionId: iris.id,
    backend: 'webgpu',
    device: 'NVIDIA H100 80GB HBM3 (nvidia hopper, driver 580.159.04)',
    createdAt: t3,
    startedAt: t3,
    finishedAt: plus(t3, 600),
    metrics: [...series('loss', [0.9, 0.2]), ...series('accuracy', [0.7, 0.97], 'validation')],
  });
  await makeRun(teamId, projectId, {
    number: 4,
    name: 'cnn-no-metrics',
    status: 'RUNNING',
    createdById: bob.id,
    tags: ['cnn'],
    // A learning rate that is not a number: numeric filters must skip it, not fail.
    config: { paradigm: 'supervised', learningRate: 'auto', batchSize: '16' },
    architectureVersionId: cnn.id,
    createdAt: plus(NOW, -3600),
    startedAt: plus(NOW, -1800),
  });
  await makeRun(teamId, projectId, {
    number: 5,
    name: MALICIOUS,
    status: 'QUEUED',
    createdById: null,
    tags: [],
    config: {},
    createdAt: plus(NOW, -2 * 86_400),
  });

  // Team B: a run that matches every query used below.
  const b = await makeTeam();
  otherTeamId = b.team.id;
  otherProjectId = (await makeProject(b, 'Search')).id;
  await makeRun(otherTeamId, otherProjectId, {
    number: 1,
    name: 'mlp-baseline',
    status: 'SUCCEEDED',
    createdById: ana.id,
    tags: ['baseline', 'cnn'],
    config: { paradigm: 'supervised', learningRate: 0.001, batchSize: 32, optimizer: { name: 'adam' } },
    createdAt: plus(NOW, -60),
    metrics: [...series('accuracy', [0.99], 'validation'), ...series('loss', [0.01])],
  });
});

function search(args: Partial<SearchRunsArgs> = {}) {
  return searchRuns({ teamId, projectId, now: NOW, page: 1, pageSize: 50, ...args });
}

/** The run numbers a query selects, in number order. */
async function numbers(query: string): Promise<number[]> {
  const res = await search({ query });
  expect(res.total).toBe(res.rows.length);
  return res.rows.map((r) => r.number).sort((x, y) => x - y);
}

describe('filters', () => {
  it('on metrics: contexts, aggregates, NaN never matching, missing metrics false', async () => {
    expect(await numbers('metrics.val_accuracy > 0.9')).toEqual([1, 3]);
    expect(await numbers('metrics.val_accuracy.max >= 0.95')).toEqual([1, 3]);
    expect(await numbers('metrics.val_accuracy.max > 0.95')).toEqual([3]);
    expect(await numbers('metrics.val_accuracy.min < 0.75')).toEqual([2, 3]);
    expect(await numbers('metrics.test_accuracy >= 0.9')).toEqual([1]);
    expect(await numbers('metrics.loss < 0.35')).toEqual([1, 3]);
    expect(await numbers('metrics.loss > 1')).toEqual([]);
    expect(await numbers('metrics.loss != 0.3')).toEqual([3]);
    expect(await numbers('metrics.val_accuracy in (0.5, 0.97)')).toEqual([2, 3]);
    expect(await numbers('metrics.val_accuracy not in (0.5)')).toEqual([1, 3]);
    expect(await numbers('not metrics.val_accuracy > 0.9')).toEqual([2, 4, 5]);
    expect(await numbers('metrics.sys_memory = 100')).toEqual([1]);
    expect(await numbers('metrics.accuracy > 0')).toEqual([]); // train context: none logged
  });

  it('on params: aliases, numeric guards around non-numeric values, text and lists', async () => {
    expect(await numbers('params.lr < 0.01')).toEqual([1, 3]);
    expect(await numbers('params.learningRate >= 0.005')).toEqual([2, 3]);
    expect(await numbers('params.lr = "auto"')).toEqual([4]);
    expect(await numbers('params.lr ~ AUT')).toEqual([4]);
    expect(await numbers('params.batch_size in (32, 64)')).toEqual([1, 2, 3]);
    expect(await numbers('params.batch_size not in (32, 64)')).toEqual([4]);
    expect(await numbers('params.optimizer = adam')).toEqual([1, 3]);
    expect(await numbers('params.optimizer != adam')).toEqual([2]);
    expect(await numbers('params.optimizer.beta1 = 0.9')).toEqual([1]);
    expect(await numbers('params.epochs > 5 or params.nothing.here = 1')).toEqual([1]);
    expect(await numbers('params.paradigm = supervised and params.paradigm != true')).toEqual([1, 2, 3, 4]);
    // Run 4 stores its batch size as the text "16": numeric where a number is asked for.
    expect(await numbers('params.batch_size < 20')).toEqual([4]);
    expect(await numbers('params.batch_size = "16"')).toEqual([4]);
  });

  it('never fail on values a numeric cast would choke on', async () => {
    const project = await makeProject({ owner: ana, team: { id: teamId } }, 'Odd configs');
    const odd = await makeRun(teamId, project.id, { number: 1, name: 'odd', status: 'SUCCEEDED', createdById: ana.id, tags: [], config: {}, createdAt: NOW });
    // Written as SQL: JSON from JavaScript cannot hold 1e400.
    await prisma.$executeRaw`UPDATE "Run" SET config = '{"huge": 1e400, "text": "1e99999", "obj": {"a": 1}, "list": [1, 2]}'::jsonb WHERE id = ${odd.id}`;
    const q = (query: string) => searchRuns({ teamId, projectId: project.id, query, now: NOW }).then((r) => r.total);
    expect(await q('params.huge > 1e300')).toBe(1);
    expect(await q('params.text > 1 or params.obj > 1 or params.list > 1 or params.obj.a.b > 1')).toBe(0);
    expect(await q('params.text ~ "e999"')).toBe(1);
    expect(await q('params.obj.a = 1')).toBe(1);
    const sorted = await searchRuns({
      teamId,
      projectId: project.id,
      sort: [
        { field: 'params.huge', dir: 'desc' },
        { field: 'params.text', dir: 'asc' },
      ],
      now: NOW,
    });
    expect(sorted.rows[0]!.params).toMatchObject({ 'obj.a': 1, list: [1, 2], text: '1e99999' });
  });

  it('on attributes: user (email or name), tag, status, names, number, duration', async () => {
    expect(await numbers(`user = "${ana.email.toUpperCase()}"`)).toEqual([1, 2]);
    expect(await numbers('user = "bob builder"')).toEqual([3, 4]);
    expect(await numbers('user ~ bob')).toEqual([3, 4]);
    expect(await numbers(`user != "${ana.email}"`)).toEqual([3, 4]);
    expect(await numbers(`user in ("${ana.email}", "Bob Builder")`)).toEqual([1, 2, 3, 4]);
    expect(await numbers('tag = baseline')).toEqual([1, 3]);
    expect(await numbers('tag != baseline')).toEqual([2, 4, 5]);
    expect(await numbers('tag in (cnn, nothing)')).toEqual([3, 4]);
    expect(await numbers('tag not in (cnn)')).toEqual([1, 2, 5]);
    expect(await numbers('tag ~ BASE')).toEqual([1, 3]);
    expect(await numbers('status = succeeded')).toEqual([1, 3]);
    expect(await numbers('status in (running, queued)')).toEqual([4, 5]);
    expect(await numbers('status != failed')).toEqual([1, 3, 4, 5]);
    expect(await numbers('architecture = MLP')).toEqual([1, 2]);
    expect(await numbers('dataset ~ iri')).toEqual([1, 3]);
    expect(await numbers('dataset != Iris')).toEqual([]); // runs without a dataset do not compare
    expect(await numbers('name ~ "CNN"')).toEqual([3, 4]);
    expect(await numbers('name ~ "%"')).toEqual([]); // LIKE wildcards are plain characters
    expect(await numbers('backend = wasm and paradigm = supervised')).toEqual([1]);
    expect(await numbers('backend in (wasm, webgpu)')).toEqual([1, 3]);
    expect(await numbers('device ~ h100')).toEqual([3]);
    expect(await numbers('device ~ "driver 580"')).toEqual([3]);
    expect(await numbers('device ~ cpu or backend = cpu')).toEqual([1, 2]);
    expect(await numbers('not device ~ h100')).toEqual([1, 2, 4, 5]); // no device compares false; not selects them
    expect(await numbers('number >= 4')).toEqual([4, 5]);
    expect(await numbers('number in (1, 5)')).toEqual([1, 5]);
    expect(await numbers('duration > 5m')).toEqual([3, 4]); // the running one counts up to now
    expect(await numbers('duration < 60')).toEqual([2]);
  });

  it('on creation time: relative, calendar days, instants and quoted dates', async () => {
    expect(await numbers('created > 7d')).toEqual([4, 5]);
    expect(await numbers('created > 24h')).toEqual([4]);
    expect(await numbers('created < 2024-01-06')).toEqual([1]);
    expect(await numbers('created = 2024-01-06')).toEqual([2]);
    expect(await numbers('created != 2024-01-06')).toEqual([1, 3, 4, 5]);
    expect(await numbers('created >= 2024-02-01 and created <= 2024-02-01')).toEqual([3]);
    expect(await numbers('created > 2024-01-05T10:00:00Z and created < 2024-02-01T08:00Z')).toEqual([2]);
    expect(await numbers('created > "2024-02-15"')).toEqual([4, 5]);
    expect(await numbers('created > 100000w and created <= 9999-12-31')).toEqual([1, 2, 3, 4, 5]);
  });

  it('combined with and, or, not and parentheses', async () => {
    expect(await numbers(`metrics.val_accuracy > 0.9 and params.lr < 0.01 and user = "${ana.email}" and tag = "baseline"`)).toEqual([1]);
    expect(await numbers('(status = failed or tag = cnn) and not name ~ wide')).toEqual([2, 4]);
    expect(await numbers('status = failed or tag = cnn and name ~ wide')).toEqual([2, 3]);
    expect(await numbers('not (tag = baseline or tag = cnn)')).toEqual([2, 5]);
    expect(await numbers('  ')).toEqual([1, 2, 3, 4, 5]);
  });

  it('treat a malicious string as a value', async () => {
    expect(await numbers(`name = "'; drop table \\"Run\\"; --"`)).toEqual([5]);
    expect(await numbers(`name = '${MALICIOUS.replace(/'/g, "\\'")}' or tag = '"); delete from "Run"; --'`)).toEqual([5]);
    expect(await numbers(`params."x'; drop table \\"Run\\"; --" = 1 or metrics."'; drop table \\"Run\\"; --" > 0`)).toEqual([]);
    await expect(search({ sort: [{ field: `params."'); drop table \\"Run\\"; --"`, dir: 'desc' }] })).resolves.toMatchObject({ total: 5 });
    expect(await prisma.run.count({ where: { projectId } })).toBe(5);
  });
});

describe('sorting and paging', () => {
  const order = async (field: string, dir: 'asc' | 'desc', query?: string) => (await search({ query, sort: [{ field, dir }] })).rows.map((r) => r.number);

  it('sorts by metrics with NULLs (and NaN) last in both directions', async () => {
    expect(await order('metrics.val_accuracy', 'desc')).toEqual([3, 1, 2, 5, 4]);
    expect(await order('metrics.val_accuracy', 'asc')).toEqual([2, 1, 3, 5, 4]);
    expect(await order('metrics.loss', 'asc')).toEqual([3, 1, 5, 4, 2]);
    expect(await order('metrics.loss', 'desc')).toEqual([1, 3, 5, 4, 2]);
    expect(await order('metrics.val_accuracy.min', 'asc', 'metrics.val_accuracy > 0')).toEqual([2, 3, 1]);
  });

  it('sorts by params (numbers, then text) and attributes', async () => {
    expect(await order('params.lr', 'asc')).toEqual([1, 3, 2, 4, 5]);
    expect(await order('params.lr', 'desc')).toEqual([2, 3, 1, 4, 5]);
    expect(await order('user', 'asc')).toEqual([2, 1, 4, 3, 5]);
    expect(await order('name', 'asc', 'number < 5')).toEqual([4, 3, 1, 2]);
    expect(await order('architecture', 'desc')).toEqual([2, 1, 4, 3, 5]);
    expect(await order('duration', 'desc')).toEqual([4, 3, 1, 2, 5]);
    expect(await order('created', 'asc')).toEqual([1, 2, 3, 5, 4]);
    expect(await order('status', 'asc')).toEqual([5, 4, 3, 1, 2]);
    const multi = await search({
      sort: [
        { field: 'params.batch_size', dir: 'asc' },
        { field: 'metrics.val_accuracy', dir: 'desc' },
      ],
    });
    expect(multi.rows.map((r) => r.number)).toEqual([4, 3, 1, 2, 5]);
  });

  it('pages with the total of all matching runs (newest first by default)', async () => {
    const p1 = await search({ pageSize: 2 });
    expect(p1).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(p1.rows.map((r) => r.number)).toEqual([4, 5]);
    expect((await search({ pageSize: 2, page: 2 })).rows.map((r) => r.number)).toEqual([3, 2]);
    const p3 = await search({ pageSize: 2, page: 3 });
    expect(p3.total).toBe(5);
    expect(p3.rows.map((r) => r.number)).toEqual([1]);
    const past = await search({ pageSize: 2, page: 4 });
    expect(past).toMatchObject({ total: 5, rows: [] });
    const filtered = await search({ query: 'tag = baseline', pageSize: 1, page: 2 });
    expect(filtered.total).toBe(2);
    expect(filtered.rows.map((r) => r.number)).toEqual([1]);
    expect(await search({ query: 'tag = none', page: 3 })).toMatchObject({ total: 0, rows: [] });
  });
});

describe('rows', () => {
  it('carry names, params and metric summaries', async () => {
    const { rows } = await search({ query: 'number in (1, 2, 5)', sort: [{ field: 'number', dir: 'asc' }] });
    const [r1, r2, r5] = rows;
    expect(r1).toMatchObject({
      number: 1,
      name: 'mlp-baseline',
      status: 'SUCCEEDED',
      paradigm: 'supervised',
      user: { id: ana.id, name: 'Ana Lima', email: ana.email },
      architecture: { name: 'MLP', version: 1 },
      dataset: { name: 'Iris', version: 1 },
      backend: 'wasm',
      tags: ['baseline'],
      durationSeconds: 120,
      params: { paradigm: 'supervised', learningRate: 0.001, batchSize: 32, epochs: 10, 'optimizer.name': 'adam', 'optimizer.beta1': 0.9 },
      metrics: {
        loss: { last: 0.3, min: 0.3, max: 1 },
        val_accuracy: { last: 0.93, min: 0.8, max: 0.95 },
        test_accuracy: { last: 0.91, min: 0.91, max: 0.91 },
      },
    });
    expect(r1!.createdAt).toEqual(at('2024-01-05T10:00:00Z'));
    expect(r1!.metrics.sys_memory).toBeUndefined(); // system metrics only when asked for
    expect(Number.isNaN(r2!.metrics.loss!.last)).toBe(true);
    expect(r5).toMatchObject({ name: MALICIOUS, user: null, architecture: null, dataset: null, durationSeconds: null, params: {}, metrics: {} });
    const [running] = (await search({ query: 'status = running' })).rows;
    expect(running).toMatchObject({ number: 4, durationSeconds: 1800, finishedAt: null }); // counted up to now
  });

  it('carry only the columns asked for', async () => {
    const { rows } = await search({
      query: 'number = 1',
      columns: { metrics: ['val_accuracy', 'metrics.sys_memory', 'nothing'], params: ['lr', 'optimizer', 'params.batch_size', 'missing.path'] },
    });
    expect(rows[0]!.metrics).toEqual({ val_accuracy: { last: 0.93, min: 0.8, max: 0.95 }, sys_memory: { last: 100, min: 100, max: 100 } });
    expect(rows[0]!.params).toEqual({ learningRate: 0.001, 'optimizer.name': 'adam', batchSize: 32, 'missing.path': null });
  });
});

describe('groups', () => {
  it('by user, with metric aggregates over all matching runs', async () => {
    const res = await search({ groupBy: 'user', pageSize: 1, columns: { metrics: ['val_accuracy', 'loss'] } });
    expect(res.rows).toHaveLength(1);
    const byKey = Object.fromEntries(res.groups!.map((g) => [g.key, g]));
    expect(res.groups!.map((g) => g.key)).toEqual([...[ana.email, bob.email].sort(), null]);
    expect(byKey[ana.email]).toMatchObject({ label: 'Ana Lima', count: 2 });
    expect(byKey[ana.email]!.aggregates.val_accuracy!.mean).toBeCloseTo(0.715);
    expect(byKey[ana.email]!.aggregates.val_accuracy).toMatchObject({ min: 0.5, max: 0.93 });
    expect(byKey[ana.email]!.aggregates.loss).toEqual({ mean: 0.3, min: 0.3, max: 0.3 }); // NaN left out
    expect(byKey[bob.email]).toMatchObject({ label: 'Bob Builder', count: 2, aggregates: { val_accuracy: { mean: 0.97, min: 0.97, max: 0.97 } } });
    expect(byKey['null']).toMatchObject({ key: null, count: 1, aggregates: {} });
  });

  it('by status and by a param, within the filter', async () => {
    const byStatus = await search({ groupBy: 'status', query: 'status != queued' });
    expect(byStatus.groups!.map((g) => [g.key, g.count])).toEqual([
      ['FAILED', 1],
      ['RUNNING', 1],
      ['SUCCEEDED', 2],
    ]);
    expect(byStatus.groups![2]!.aggregates).toHaveProperty('test_accuracy');
    const byOptimizer = await search({ groupBy: 'params.optimizer' });
    expect(byOptimizer.groups!.map((g) => [g.key, g.count])).toEqual([
      ['adam', 2],
      ['sgd', 1],
      [null, 2],
    ]);
    const byDevice = await search({ groupBy: 'device', query: 'device ~ h100', columns: { metrics: [] } });
    expect(byDevice.groups?.map((g) => [g.label, g.count])).toEqual([['NVIDIA H100 80GB HBM3 (nvidia hopper, driver 580.159.04)', 1]]);
    expect(byDevice.rows[0]).toMatchObject({ backend: 'webgpu', device: 'NVIDIA H100 80GB HBM3 (nvidia hopper, driver 580.159.04)' });
    const byArch = await search({ groupBy: 'architecture', columns: { metrics: [] } });
    expect(byArch.groups!.map((g) => [g.key, g.count, g.aggregates])).toEqual([
      ['CNN', 2, {}],
      ['MLP', 2, {}],
      [null, 1, {}],
    ]);
  });
});

describe('tenant isolation', () => {
  it('never returns another team’s runs, even with a matching query or its project id', async () => {
    expect(await numbers('tag = baseline and name = "mlp-baseline"')).toEqual([1]);
    expect((await search({ query: 'metrics.val_accuracy > 0.98' })).total).toBe(0);
    expect(await search({ projectId: otherProjectId })).toMatchObject({ total: 0, rows: [] });
    expect(await searchRuns({ teamId: otherTeamId, projectId, now: NOW })).toMatchObject({ total: 0, rows: [] });
    expect(await search({ projectId: otherProjectId, groupBy: 'user' })).toMatchObject({ total: 0, groups: [] });
    const own = await searchRuns({ teamId: otherTeamId, projectId: otherProjectId, query: 'tag = baseline', now: NOW });
    expect(own.rows.map((r) => r.name)).toEqual(['mlp-baseline']);
    expect(await availableColumns(teamId, otherProjectId)).toEqual({ metrics: [], params: [] });
  });
});

describe('bad requests', () => {
  const rejects = async (args: Partial<SearchRunsArgs>, message: string | RegExp, field: string) => {
    const err = await search(args).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'BAD_REQUEST', field });
    expect((err as Error).message).toMatch(message);
  };

  it('name the column of a syntax error, a bad sort or group field', async () => {
    await rejects({ query: 'metrics.val_accuracy > and x' }, "column 24: expected a value after '>', found 'and'", 'query');
    await rejects({ query: 'metric.acc > 1' }, "column 1: unknown field 'metric.acc' (did you mean metrics.acc?)", 'query');
    await rejects({ sort: [{ field: 'tag', dir: 'asc' }] }, /Sort field 'tag': runs cannot be sorted by tag/, 'sort');
    await rejects({ sort: [{ field: 'metrcs.loss', dir: 'asc' }] }, /did you mean metrics.loss/, 'sort');
    await rejects({ groupBy: 'created' }, /grouped by user, architecture, dataset, status, backend, device, paradigm or params.<path>, not created/, 'groupBy');
    await expect(search({ pageSize: 501 })).rejects.toBeInstanceOf(ZodError);
  });
});

describe('available columns', () => {
  it('lists the metric names and config paths present in the project', async () => {
    const cols = await availableColumns(teamId, projectId);
    expect(cols.metrics).toEqual([
      { name: 'loss', field: 'metrics.loss', key: 'loss', context: 'train', runs: 3 },
      { name: 'val_accuracy', field: 'metrics.val_accuracy', key: 'accuracy', context: 'validation', runs: 3 },
      { name: 'test_accuracy', field: 'metrics.test_accuracy', key: 'accuracy', context: 'test', runs: 1 },
      { name: 'sys_memory', field: 'metrics.sys_memory', key: 'memory', context: 'system', runs: 1 },
    ]);
    const params = Object.fromEntries(cols.params.map((p) => [p.path, p]));
    expect(Object.keys(params).sort()).toEqual(['batchSize', 'epochs', 'learningRate', 'optimizer.beta1', 'optimizer.name', 'paradigm']);
    expect(params.learningRate).toEqual({ path: 'learningRate', field: 'params.learningRate', types: ['number', 'string'], runs: 4 });
    expect(params['optimizer.name']).toMatchObject({ field: 'params.optimizer.name', types: ['string'], runs: 3 });
  });

  it('are fields the query language accepts', async () => {
    const cols = await availableColumns(teamId, projectId);
    for (const c of [...cols.metrics, ...cols.params]) {
      await expect(search({ sort: [{ field: c.field, dir: 'desc' }], pageSize: 1 })).resolves.toMatchObject({ total: 5 });
    }
  });
});
