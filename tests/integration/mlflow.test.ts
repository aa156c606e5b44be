import { beforeAll, describe, expect, it } from 'vitest';
import { GET, POST } from '@/app/api/2.0/mlflow/[...endpoint]/route';
import { prisma } from '@/lib/db/client';
import { createApiKey } from '@/server/services/api-keys';
import { addMember, callerFor, makeTeam, uid } from '../helpers/factories';
import { call } from '../helpers/rest';

/** Contract tests in the shapes of MLflow's REST API docs (https://mlflow.org/docs/latest/rest-api.html). */

let key: string;
let otherKey: string;
let viewerKey: string;
let teamId: string;

const BASE = 'http://localhost/api/2.0/mlflow/';
const params = (endpoint: string) => ({ endpoint: endpoint.split('/') });
const post = (endpoint: string, body: unknown, k: string | null = key) => call(POST, { method: 'POST', url: BASE + endpoint, key: k, body, params: params(endpoint) });
const get = (endpoint: string, query: Record<string, string | number>, k: string | null = key) =>
  call(GET, { url: `${BASE}${endpoint}?${new URLSearchParams(Object.entries(query).map(([a, b]) => [a, String(b)]))}`, key: k, params: params(endpoint) });

function expectError(res: { status: number; body: any }, status: number, code: string, message?: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(Object.keys(res.body).sort()).toEqual(['error_code', 'message']);
  expect(res.body.error_code).toBe(code);
  if (message) expect(res.body.message).toMatch(message);
}

async function newExperiment() {
  const res = await post('experiments/create', { name: `exp ${uid()}` });
  expect(res.status).toBe(200);
  return res.body.experiment_id as string;
}

async function newRun(experimentId: string, extra: Record<string, unknown> = {}) {
  const res = await post('runs/create', { experiment_id: experimentId, start_time: Date.now(), ...extra });
  expect(res.status).toBe(200);
  return res.body.run as { info: { run_id: string } };
}

beforeAll(async () => {
  const { team, owner } = await makeTeam();
  teamId = team.id;
  key = (await createApiKey({ userId: owner.id, teamId, name: 'mlflow' })).key;
  const viewer = await addMember(teamId, 'VIEWER');
  viewerKey = (await createApiKey({ userId: viewer.id, teamId, name: 'v' })).key;
  const other = await makeTeam();
  otherKey = (await createApiKey({ userId: other.owner.id, teamId: other.team.id, name: 'other' })).key;
  expect(callerFor(owner)).toBeTruthy();
});

describe('MLflow experiments', () => {
  it('create, get and get-by-name; a name twice is RESOURCE_ALREADY_EXISTS', async () => {
    const name = `exp ${uid()}`;
    const created = await post('experiments/create', { name });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body)).toEqual(['experiment_id']);
    const id = created.body.experiment_id;
    const got = await get('experiments/get', { experiment_id: id });
    expect(got.status).toBe(200);
    expect(got.body.experiment).toMatchObject({ experiment_id: id, name, lifecycle_stage: 'active' });
    expect(typeof got.body.experiment.creation_time).toBe('number');
    expect((await get('experiments/get-by-name', { experiment_name: name })).body.experiment.experiment_id).toBe(id);
    const project = await prisma.project.findUniqueOrThrow({ where: { id } });
    expect(project.teamId).toBe(teamId);
    expectError(await post('experiments/create', { name }), 400, 'RESOURCE_ALREADY_EXISTS');
    expectError(await post('experiments/create', {}), 400, 'INVALID_PARAMETER_VALUE', /name/);
    expectError(await get('experiments/get', { experiment_id: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await get('experiments/get-by-name', { experiment_name: 'no such' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it("experiment 0 is the team's Default project", async () => {
    const res = await get('experiments/get', { experiment_id: '0' });
    expect(res.status).toBe(200);
    expect(res.body.experiment.name).toBe('Default');
    const run = await newRun('0');
    expect((await prisma.run.findUniqueOrThrow({ where: { id: run.info.run_id } })).projectId).toBe(res.body.experiment.experiment_id);
  });
});

describe('MLflow runs', () => {
  it("create → log-metric / log-parameter / set-tag → update → get, in MLflow's shapes", async () => {
    const exp = await newExperiment();
    const start = Date.now() - 5000;
    const created = await post('runs/create', {
      experiment_id: exp,
      run_name: 'sklearn-ish',
      start_time: start,
      tags: [
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'team', value: 'nlp' },
      ],
    });
    expect(created.status).toBe(200);
    const info = created.body.run.info;
    expect(Object.keys(info).sort()).toEqual(['artifact_uri', 'experiment_id', 'lifecycle_stage', 'run_id', 'run_name', 'run_uuid', 'start_time', 'status', 'user_id'].sort());
    expect(info).toMatchObject({ experiment_id: exp, run_name: 'sklearn-ish', status: 'RUNNING', start_time: start, lifecycle_stage: 'active' });
    expect(info.run_uuid).toBe(info.run_id);
    const runId = info.run_id;

    for (const [step, value] of [
      [0, 0.5],
      [1, 0.7],
      [2, 0.8],
    ] as const) {
      const r = await post('runs/log-metric', { run_id: runId, key: 'acc', value, timestamp: Date.now(), step });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({});
    }
    expect((await post('runs/log-metric', { run_uuid: runId, key: 'val_loss', value: '1.5', timestamp: String(Date.now()) })).status).toBe(400);
    expect((await post('runs/log-metric', { run_uuid: runId, key: 'val_loss', value: 1.5, timestamp: String(Date.now()) })).status).toBe(200);
    expect((await post('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.01' })).body).toEqual({});
    expectError(await post('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.02' }), 400, 'INVALID_PARAMETER_VALUE', /lr/);
    expect((await post('runs/set-tag', { run_id: runId, key: 'stage', value: 'dev' })).status).toBe(200);
    expect((await post('runs/delete-tag', { run_id: runId, key: 'team' })).status).toBe(200);

    const end = Date.now();
    const updated = await post('runs/update', { run_id: runId, status: 'FINISHED', end_time: end });
    expect(updated.status).toBe(200);
    expect(updated.body.run_info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: end });

    const got = await get('runs/get', { run_id: runId });
    expect(got.status).toBe(200);
    const { data } = got.body.run;
    expect(data.metrics).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'acc', value: 0.8, step: 2 }), expect.objectContaining({ key: 'val_loss', value: 1.5, step: 0 })]));
    expect(typeof data.metrics[0].timestamp).toBe('number');
    expect(data.params).toEqual([{ key: 'lr', value: '0.01' }]);
    const tags = Object.fromEntries(data.tags.map((t: { key: string; value: string }) => [t.key, t.value]));
    expect(tags).toMatchObject({ 'mlflow.source.name': 'train.py', stage: 'dev', 'mlflow.runName': 'sklearn-ish' });
    expect(tags.team).toBeUndefined();
    // The Deepboard side: an external run that finished, with its metrics in the one write path.
    const row = await prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { series: true } });
    expect(row).toMatchObject({ source: 'external', status: 'SUCCEEDED' });
    expect(row.series.find((s) => s.key === 'loss')?.context).toBe('validation');

    expectError(await get('runs/get', { run_id: 'missing' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await get('runs/get', {}), 400, 'INVALID_PARAMETER_VALUE', /run_id/);
    expectError(await post('runs/update', { run_id: runId, status: 'DONE' }), 400, 'INVALID_PARAMETER_VALUE', /status/);
  });

  it('set-tag mlflow.runName renames the run', async () => {
    const run = await newRun(await newExperiment());
    await post('runs/set-tag', { run_id: run.info.run_id, key: 'mlflow.runName', value: 'renamed' });
    expect((await get('runs/get', { run_id: run.info.run_id })).body.run.info.run_name).toBe('renamed');
  });

  it("log-batch writes metrics, params and tags within MLflow's limits", async () => {
    const run = await newRun(await newExperiment());
    const runId = run.info.run_id;
    const ok = await post('runs/log-batch', {
      run_id: runId,
      metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), timestamp: Date.now(), step: i })),
      params: [],
      tags: [],
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({});
    expect((await prisma.metricSeries.findFirstOrThrow({ where: { runId, key: 'loss' } })).count).toBe(1000);
    const p = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const t = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `t${i}`, value: 'x' }));
    const m = (n: number) => Array.from({ length: n }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
    expect((await post('runs/log-batch', { run_id: runId, params: p(100), tags: t(100) })).status).toBe(200);
    expectError(await post('runs/log-batch', { run_id: runId, metrics: m(1001) }), 400, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/);
    expectError(await post('runs/log-batch', { run_id: runId, params: p(101) }), 400, 'INVALID_PARAMETER_VALUE', /at most 100 params/);
    expectError(await post('runs/log-batch', { run_id: runId, tags: t(101) }), 400, 'INVALID_PARAMETER_VALUE', /at most 100 tags/);
    expectError(await post('runs/log-batch', { run_id: runId, metrics: m(950), params: p(30), tags: t(30) }), 400, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics, params and tags in total/);
    // 100 params of 6000 characters + 100 tags of 5000: within the counts, over 1 MB.
    const big = (n: number, len: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: 'x'.repeat(len) }));
    expectError(await post('runs/log-batch', { run_id: runId, params: big(100, 6000, 'bp'), tags: big(100, 5000, 'bt') }), 400, 'INVALID_PARAMETER_VALUE', /1 MB/);
    expectError(
      await post('runs/log-batch', {
        run_id: runId,
        params: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      }),
      400,
      'INVALID_PARAMETER_VALUE',
      /Duplicate/,
    );
    expectError(await post('runs/log-batch', { run_id: runId, metrics: [{ key: 'x', value: 1 }] }), 400, 'INVALID_PARAMETER_VALUE', /timestamp/);
  });

  it('metrics/get-history pages with max_results and next_page_token', async () => {
    const run = await newRun(await newExperiment());
    const runId = run.info.run_id;
    await post('runs/log-batch', { run_id: runId, metrics: Array.from({ length: 25 }, (_, i) => ({ key: 'val_acc', value: i / 25, timestamp: 1_700_000_000_000 + i, step: i })) });
    const all = await get('metrics/get-history', { run_id: runId, metric_key: 'val_acc' });
    expect(all.status).toBe(200);
    expect(all.body.metrics).toHaveLength(25);
    expect(all.body.next_page_token).toBeUndefined();
    expect(all.body.metrics[3]).toEqual({ key: 'val_acc', value: 3 / 25, timestamp: 1_700_000_000_003, step: 3 });
    const steps: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await get('metrics/get-history', { run_id: runId, metric_key: 'val_acc', max_results: 10, ...(token ? { page_token: token } : {}) });
      expect(res.status).toBe(200);
      steps.push(...res.body.metrics.map((x: { step: number }) => x.step));
      token = res.body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(steps).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect((await get('metrics/get-history', { run_id: runId, metric_key: 'nothing' })).body).toEqual({ metrics: [] });
    expectError(await get('metrics/get-history', { run_id: runId, metric_key: 'val_acc', max_results: 25001 }), 400, 'INVALID_PARAMETER_VALUE', /25000/);
    expectError(await get('metrics/get-history', { run_id: runId, metric_key: 'val_acc', page_token: 'garbage' }), 400, 'INVALID_PARAMETER_VALUE', /page token/);
  });
});

describe('MLflow runs/search', () => {
  it('filters with MLflow syntax, orders and pages', async () => {
    const exp = await newExperiment();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const run = await newRun(exp, { run_name: `r${i}`, start_time: 1_700_000_000_000 + i * 1000, tags: [{ key: 'a b', value: i % 2 ? 'odd' : 'even' }] });
      ids.push(run.info.run_id);
      await post('runs/log-batch', { run_id: run.info.run_id, metrics: [{ key: 'acc', value: 0.8 + i * 0.05, timestamp: 1, step: 0 }], params: [{ key: 'lr', value: i < 2 ? '0.01' : '0.1' }] });
      if (i === 4) await post('runs/update', { run_id: run.info.run_id, status: 'FAILED' });
    }
    const search = (body: Record<string, unknown>) => post('runs/search', { experiment_ids: [exp], ...body });
    const names = (res: { body: any }) => (res.body.runs ?? []).map((r: { info: { run_name: string } }) => r.info.run_name);

    expect(names(await search({}))).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
    expect(names(await search({ filter: 'metrics.acc > 0.9' }))).toEqual(['r4', 'r3']);
    expect(names(await search({ filter: "params.lr = '0.01'" }))).toEqual(['r1', 'r0']);
    expect(names(await search({ filter: "tags.`a b` = 'odd'" }))).toEqual(['r3', 'r1']);
    expect(names(await search({ filter: "attributes.status = 'FAILED'" }))).toEqual(['r4']);
    expect(names(await search({ filter: "metrics.acc >= 0.85 AND params.lr = '0.1' AND attributes.status != 'FAILED'" }))).toEqual(['r3', 'r2']);
    expect(names(await search({ filter: `attribute.start_time < ${1_700_000_000_000 + 2000}` }))).toEqual(['r1', 'r0']);
    expect(names(await search({ filter: "attributes.run_name LIKE 'r%'", order_by: ['metrics.acc ASC'] }))).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(names(await search({ order_by: ['params.lr DESC', 'attributes.start_time ASC'] }))).toEqual(['r2', 'r3', 'r4', 'r0', 'r1']);

    const first = await search({ max_results: 2, order_by: ['metrics.acc DESC'] });
    expect(names(first)).toEqual(['r4', 'r3']);
    const second = await search({ max_results: 2, order_by: ['metrics.acc DESC'], page_token: first.body.next_page_token });
    expect(names(second)).toEqual(['r2', 'r1']);
    const third = await search({ max_results: 2, order_by: ['metrics.acc DESC'], page_token: second.body.next_page_token });
    expect(names(third)).toEqual(['r0']);
    expect(third.body.next_page_token).toBeUndefined();

    const run = (await search({ filter: "attributes.run_name = 'r0'" })).body.runs[0];
    expect(run.info).toMatchObject({ run_id: ids[0], experiment_id: exp, status: 'RUNNING' });
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.01' }]);

    expectError(await search({ filter: 'metrics.acc > 0.9 OR metrics.acc < 0.1' }), 400, 'INVALID_PARAMETER_VALUE', /OR is not supported/);
    expectError(await search({ filter: "metrics.acc = 'x'" }), 400, 'INVALID_PARAMETER_VALUE', /number/);
    expectError(await search({ order_by: ['nonsense.x'] }), 400, 'INVALID_PARAMETER_VALUE', /unknown entity/);
    expectError(await search({ max_results: 50001 }), 400, 'INVALID_PARAMETER_VALUE', /50000/);
    expectError(await search({ page_token: 'x' }), 400, 'INVALID_PARAMETER_VALUE', /page token/);
    expectError(await post('runs/search', { experiment_ids: ['nope'] }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });
});

describe('MLflow access', () => {
  it("needs a valid key; another team's key sees nothing; viewers cannot write", async () => {
    const exp = await newExperiment();
    const run = await newRun(exp);
    expectError(await get('experiments/get', { experiment_id: exp }, null), 401, 'UNAUTHENTICATED', /MLFLOW_TRACKING_TOKEN/);
    expectError(await get('experiments/get', { experiment_id: exp }, 'dbk_wrong'), 401, 'UNAUTHENTICATED');
    expectError(await get('experiments/get', { experiment_id: exp }, otherKey), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await get('runs/get', { run_id: run.info.run_id }, otherKey), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await post('runs/log-metric', { run_id: run.info.run_id, key: 'x', value: 1, timestamp: 1 }, otherKey), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await post('runs/search', { experiment_ids: [exp] }, otherKey), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await get('metrics/get-history', { run_id: run.info.run_id, metric_key: 'x' }, otherKey), 404, 'RESOURCE_DOES_NOT_EXIST');
    expect((await get('runs/get', { run_id: run.info.run_id }, viewerKey)).status).toBe(200);
    expectError(await post('runs/log-metric', { run_id: run.info.run_id, key: 'x', value: 1, timestamp: 1 }, viewerKey), 403, 'PERMISSION_DENIED');
    expectError(await post('runs/create', { experiment_id: exp }, viewerKey), 403, 'PERMISSION_DENIED');
    expectError(await post('experiments/list', {}), 404, 'ENDPOINT_NOT_FOUND');
    const wrongMethod = await call(GET, { url: `${BASE}runs/create`, key, params: params('runs/create') });
    expect(wrongMethod.status).toBe(405);
    expectError(await call(POST, { method: 'POST', url: `${BASE}runs/create`, key, rawBody: '{oops', params: params('runs/create') }), 400, 'INVALID_PARAMETER_VALUE', /JSON/);
  });
});
