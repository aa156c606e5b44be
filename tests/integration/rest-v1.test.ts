import { beforeAll, describe, expect, it } from 'vitest';
import * as artifactsItem from '@/app/api/v1/runs/[runId]/artifacts/[...path]/route';
import * as artifactsList from '@/app/api/v1/runs/[runId]/artifacts/route';
import * as logBatch from '@/app/api/v1/runs/[runId]/log-batch/route';
import * as history from '@/app/api/v1/runs/[runId]/metric-history/route';
import * as predictions from '@/app/api/v1/runs/[runId]/predictions/route';
import * as runItem from '@/app/api/v1/runs/[runId]/route';
import * as runs from '@/app/api/v1/runs/route';
import * as search from '@/app/api/v1/runs/search/route';
import { prisma } from '@/lib/db/client';
import { authenticateApiKey, createApiKey } from '@/server/services/api-keys';
import { addMember, callerFor, makeProject, makeStoredRun, makeTeam, makeWorkspace, type Workspace } from '../helpers/factories';
import { call } from '../helpers/rest';

let key: string;
let teamId: string;
let projectSlug: string;
let ws: Workspace;
let otherKey: string;
let viewerKey: string;

beforeAll(async () => {
  ws = await makeWorkspace({ project: 'External' });
  const { team, owner, project } = ws;
  teamId = team.id;
  projectSlug = project.slug;
  key = (await createApiKey({ userId: owner.id, teamId, name: 'ci' })).key;
  const viewer = await addMember(teamId, 'VIEWER');
  viewerKey = (await createApiKey({ userId: viewer.id, teamId, name: 'viewer' })).key;
  const other = await makeTeam();
  await makeProject(other, 'Elsewhere');
  otherKey = (await createApiKey({ userId: other.owner.id, teamId: other.team.id, name: 'other' })).key;
});

async function newRun(body: Record<string, unknown> = {}) {
  const res = await call(runs.POST, { key, body: { project: projectSlug, ...body } });
  expect(res.status).toBe(201);
  return res.body as { id: string; number: number; status: string };
}

describe('API keys', () => {
  it('are dbk_ keys stored only as hashes, authenticate, track last use and stop when revoked', async () => {
    const { team, owner } = await makeTeam();
    const created = await createApiKey({ userId: owner.id, teamId: team.id, name: 'laptop' });
    expect(created.key).toMatch(/^dbk_[A-Za-z0-9]{40}$/);
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await authenticateApiKey(created.key)).toEqual({ keyId: created.id, userId: owner.id, teamId: team.id, role: 'OWNER' });
    const used = await prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(used.lastUsedAt).not.toBeNull();
    // At most one write a minute.
    await authenticateApiKey(created.key);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).toEqual(used.lastUsedAt);
    // Another last character (a key ending in x must not be "changed" to itself: 1 run in 62).
    expect(await authenticateApiKey(created.key.slice(0, -1) + (created.key.endsWith('x') ? 'y' : 'x'))).toBeNull();
    expect(await authenticateApiKey('not-a-key')).toBeNull();
    await callerFor(owner).apiKeys.revoke({ teamId: team.id, keyId: created.id });
    expect(await authenticateApiKey(created.key)).toBeNull();
  });

  it("expire, and die with their owner's membership", async () => {
    const { team, owner } = await makeTeam();
    const member = await addMember(team.id, 'MEMBER');
    const k = await createApiKey({ userId: member.id, teamId: team.id, name: 'm', expiresInDays: 1 });
    expect((await authenticateApiKey(k.key))?.role).toBe('MEMBER');
    await prisma.apiKey.update({ where: { id: k.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await authenticateApiKey(k.key)).toBeNull();
    const k2 = await createApiKey({ userId: member.id, teamId: team.id, name: 'm2' });
    expect(owner.id).toBeTruthy();
    await prisma.membership.deleteMany({ where: { teamId: team.id, userId: member.id } });
    expect(await authenticateApiKey(k2.key)).toBeNull();
  });

  it('members list and revoke only their own keys; admins see and revoke all', async () => {
    const { team, owner } = await makeTeam();
    const member = await addMember(team.id, 'MEMBER');
    const mine = await callerFor(member).apiKeys.create({ teamId: team.id, name: 'mine' });
    const owners = await callerFor(owner).apiKeys.create({ teamId: team.id, name: 'owner key' });
    expect(mine.key).toMatch(/^dbk_/);
    const listed = await callerFor(member).apiKeys.list({ teamId: team.id });
    expect(listed.map((k) => k.name)).toEqual(['mine']);
    expect(JSON.stringify(listed)).not.toContain(mine.key);
    await expect(callerFor(member).apiKeys.revoke({ teamId: team.id, keyId: owners.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await callerFor(owner).apiKeys.list({ teamId: team.id })).map((k) => k.name).sort()).toEqual(['mine', 'owner key']);
    await callerFor(owner).apiKeys.revoke({ teamId: team.id, keyId: mine.id });
    expect(await authenticateApiKey(mine.key)).toBeNull();
    const outsider = await makeTeam();
    await expect(callerFor(outsider.owner).apiKeys.list({ teamId: team.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('REST API /api/v1', () => {
  it('refuses missing, malformed and revoked keys with a JSON 401', async () => {
    const bad = await call(runs.POST, { key: 'dbk_nope', body: { project: projectSlug } });
    expect(bad.status).toBe(401);
    expect(bad.body.error.message).toMatch(/API key/);
    const malformed = await call(runs.POST, { headers: { authorization: 'Token abc' }, body: { project: projectSlug } });
    expect(malformed.status).toBe(401);
    expect(malformed.body.error.message).toMatch(/Bearer/);
  });

  it('creates an external run, logs a batch, finishes it, and reads it back', async () => {
    const run = await newRun({ name: 'pytorch resnet', params: { lr: 0.01, optimizer: 'adam' }, tags: [{ key: 'team', value: 'vision' }] });
    expect(run.status).toBe('RUNNING');
    const batch = await call(logBatch.POST, {
      key,
      params: { runId: run.id },
      body: {
        metrics: [
          { key: 'loss', value: 1.0, step: 0 },
          { key: 'loss', value: 0.5, step: 1, timestamp: Date.now() },
          { key: 'accuracy', value: 0.9, step: 1, context: 'validation' },
          { key: 'loss', value: 'NaN', step: 2 },
        ],
        params: [{ key: 'batch_size', value: 64 }],
        tags: [{ key: 'gpu', value: 'a100' }],
      },
    });
    expect(batch.status).toBe(200);
    expect(batch.body).toEqual({ metrics: 4, params: 1, tags: 1 });
    const finish = await call(runItem.PATCH, { method: 'PATCH', key, params: { runId: run.id }, body: { status: 'FINISHED' } });
    expect(finish.status).toBe(200);
    expect(finish.body.status).toBe('SUCCEEDED');
    const got = await call(runItem.GET, { key, params: { runId: run.id } });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ source: 'external', status: 'SUCCEEDED', params: { lr: '0.01', optimizer: 'adam', batch_size: '64' }, tags: { team: 'vision', gpu: 'a100' } });
    expect(got.body.labels).toEqual(expect.arrayContaining(['team:vision', 'gpu:a100']));
    const loss = got.body.metrics.find((m: { key: string }) => m.key === 'loss');
    expect(loss).toMatchObject({ count: 3, lastStep: 2, min: 0.5 });

    const h = await call(history.GET, { key, url: `http://localhost/x?key=loss&limit=2`, params: { runId: run.id } });
    expect(h.status).toBe(200);
    expect(h.body.points.map((p: { step: number }) => p.step)).toEqual([0, 1]);
    expect(h.body.nextAfterStep).toBe(1);
    const h2 = await call(history.GET, { key, url: `http://localhost/x?key=loss&limit=2&afterStep=1`, params: { runId: run.id } });
    expect(h2.body.points).toEqual([expect.objectContaining({ step: 2, value: 'NaN' })]);
    expect(h2.body.nextAfterStep).toBeNull();
  });

  it('names the field in every validation error, never a 500', async () => {
    const run = await newRun();
    const cases: Array<[unknown, RegExp]> = [
      [{ metrics: [{ key: 'loss', value: 'high', step: 0 }] }, /metrics\[0\]\.value/],
      [{ metrics: [{ key: '', value: 1, step: 0 }] }, /metrics\[0\]\.key/],
      [{ metrics: [{ key: 'loss', value: 1, step: -1 }] }, /metrics\[0\]\.step/],
      [{ params: [{ key: 'lr' }] }, /params\[0\]\.value/],
      ['{not json', /not valid JSON/],
    ];
    for (const [body, msg] of cases) {
      const res = await call(logBatch.POST, { key, params: { runId: run.id }, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(msg);
    }
    const unknownProject = await call(runs.POST, { key, body: { project: 'no-such-project' } });
    expect(unknownProject.status).toBe(404);
    expect(unknownProject.body.error.field).toBe('project');
    const badStatus = await call(runItem.PATCH, { method: 'PATCH', key, params: { runId: run.id }, body: { status: 'DONE' } });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.field).toBe('status');
  });

  it('keeps params write-once, as MLflow does', async () => {
    const run = await newRun({ params: { lr: '0.1' } });
    expect((await call(logBatch.POST, { key, params: { runId: run.id }, body: { params: [{ key: 'lr', value: '0.1' }] } })).status).toBe(200);
    const changed = await call(logBatch.POST, { key, params: { runId: run.id }, body: { params: [{ key: 'lr', value: '0.2' }] } });
    expect(changed.status).toBe(400);
    expect(changed.body.error.message).toMatch(/param 'lr' was already logged/);
  });

  it("hides other teams' runs (404), refuses viewers writes (403) and worker runs (409)", async () => {
    const run = await newRun();
    const other = await call(logBatch.POST, { key: otherKey, params: { runId: run.id }, body: { metrics: [] } });
    expect(other.status).toBe(404);
    expect((await call(runItem.GET, { key: otherKey, params: { runId: run.id } })).status).toBe(404);
    const otherProject = await call(runs.POST, { key: otherKey, body: { project: projectSlug } });
    expect(otherProject.status).toBe(404);
    expect((await call(logBatch.POST, { key: viewerKey, params: { runId: run.id }, body: {} })).status).toBe(403);
    expect((await call(runItem.GET, { key: viewerKey, params: { runId: run.id } })).status).toBe(200);
    const workerRun = await makeStoredRun(ws, { number: 9000, name: 'w', createdById: null });
    const res = await call(logBatch.POST, { key, params: { runId: workerRun.id }, body: { metrics: [{ key: 'x', value: 1, step: 0 }] } });
    expect(res.status).toBe(409);
  });

  it('stores artifacts under safe paths', async () => {
    const run = await newRun();
    const put = await call(artifactsItem.PUT, { method: 'PUT', key, params: { runId: run.id, path: ['model', 'weights.bin'] }, rawBody: new Uint8Array([1, 2, 3]) });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ path: 'model/weights.bin', size: 3 });
    const list = await call(artifactsList.GET, { key, params: { runId: run.id } });
    expect(list.body.artifacts).toEqual([expect.objectContaining({ path: 'model/weights.bin', size: 3 })]);
    const get = await call(artifactsItem.GET, { key, params: { runId: run.id, path: ['model', 'weights.bin'] } });
    expect(new Uint8Array(await get.response.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    await Promise.all(['a.txt', 'b.txt', 'c.txt', 'd.txt'].map((f) => call(artifactsItem.PUT, { method: 'PUT', key, params: { runId: run.id, path: ['logs', f] }, rawBody: f })));
    const after = await call(artifactsList.GET, { key, params: { runId: run.id } });
    expect(after.body.artifacts.map((a: { path: string }) => a.path).sort()).toEqual(['logs/a.txt', 'logs/b.txt', 'logs/c.txt', 'logs/d.txt', 'model/weights.bin']);
    const evil = await call(artifactsItem.PUT, { method: 'PUT', key, params: { runId: run.id, path: ['..', 'x'] }, rawBody: 'x' });
    expect(evil.status).toBe(400);
    expect(evil.body.error.field).toBe('path');
  });

  it('turns uploaded predictions with sensitive attributes into an evaluation and a fairness report', async () => {
    const run = await newRun({ name: 'loans external' });
    const n = 200;
    const group = Array.from({ length: n }, (_, i) => (i % 2 ? 'a' : 'b'));
    const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    // Group a gets higher scores: a planted disparity.
    const scores = labels.map((y, i) => Math.min(1, Math.max(0, 0.3 * y + (group[i] === 'a' ? 0.4 : 0.1) + ((i * 7919) % 100) / 500)));
    const res = await call(predictions.POST, { key, params: { runId: run.id }, body: { task: 'binary', labels, scores, sensitive: { group } } });
    expect(res.status).toBe(200);
    expect(res.body.examples).toBe(n);
    expect(res.body.metrics.accuracy).toBeGreaterThan(0);
    expect(res.body.fairness.summary.group.demographic_parity_difference).toBeGreaterThan(0.2);
    const { runReport } = await import('@/server/services/runs');
    const report = await runReport(teamId, run.id);
    expect(report.fairness?.task).toBe('binary');
    const stored = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect((stored.evaluation as { report?: unknown }).report).toBeTruthy();

    const mismatch = await call(predictions.POST, { key, params: { runId: run.id }, body: { task: 'binary', labels: [0, 1], scores: [0.5] } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.field).toBe('scores');
    const badGroup = await call(predictions.POST, { key, params: { runId: run.id }, body: { task: 'binary', labels: [0, 1], scores: [0.5, 0.2], sensitive: { g: ['x'] } } });
    expect(badGroup.status).toBe(400);
    expect(badGroup.body.error.field).toBe('sensitive.g');
  });

  it("searches runs with the runs table's query language", async () => {
    const a = await newRun({ name: 'search a' });
    const b = await newRun({ name: 'search b' });
    await call(logBatch.POST, { key, params: { runId: a.id }, body: { metrics: [{ key: 'val_acc', value: 0.95, step: 1 }], params: [{ key: 'depth', value: 50 }] } });
    await call(logBatch.POST, { key, params: { runId: b.id }, body: { metrics: [{ key: 'val_acc', value: 0.7, step: 1 }], params: [{ key: 'depth', value: 18 }] } });
    const res = await call(search.POST, { key, body: { project: projectSlug, query: 'metrics.val_acc > 0.9 and params.depth >= 50' } });
    expect(res.status).toBe(200);
    expect(res.body.rows.map((r: { id: string }) => r.id)).toEqual([a.id]);
    const bad = await call(search.POST, { key, body: { project: projectSlug, query: 'metrics.val_acc >>> 1' } });
    expect(bad.status).toBe(400);
  });
});
