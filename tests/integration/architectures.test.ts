import { TRPCError } from '@trpc/server';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTemplate } from '@/lib/arch/templates';
import type { ArchitectureSpec } from '@/lib/arch/spec';
import { addMember, callerFor, makeProject, makeTeam, makeWorkspace, type Workspace } from '../helpers/factories';

let team: Workspace;
let projectId: string;

const mlp = (): ArchitectureSpec => getTemplate('mlp-classifier').build({ inputShape: [14], task: 'binary' });

async function codeOf(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
    return ['OK', ''];
  } catch (err) {
    return err instanceof TRPCError ? [err.code, err.message] : ['THREW', (err as Error).message];
  }
}

beforeAll(async () => {
  team = await makeWorkspace({ project: 'Arch tests' });
  projectId = team.project.id;
});

describe('architectures', () => {
  it('creates v1 with parameter counts from shape inference', async () => {
    const api = callerFor(team.owner);
    const a = await api.architectures.create({ teamId: team.team.id, projectId, name: 'Income MLP', spec: mlp() });
    const v = await api.architectures.version({ teamId: team.team.id, architectureId: a.id });
    expect(v.version).toBe(1);
    expect(v.summary?.totalParams).toBeGreaterThan(0);
    const list = await api.architectures.list({ teamId: team.team.id, projectId });
    expect(list.find((x) => x.id === a.id)).toMatchObject({ latestVersion: 1, totalParams: v.summary!.totalParams, kind: 'sequential' });
  });

  it('saves immutable versions, refuses a stale base version, and diffs them', async () => {
    const api = callerFor(team.owner);
    const spec = mlp();
    const a = await api.architectures.create({ teamId: team.team.id, projectId, name: 'Versioned', spec });
    const wider = structuredClone(spec) as Extract<ArchitectureSpec, { kind: 'sequential' }>;
    const dense = wider.layers.find((l) => l.type === 'dense') as { units: number };
    dense.units *= 2;
    wider.layers.splice(2, 0, { type: 'batchNormalization', trainable: true, momentum: 0.99, epsilon: 1e-3 });
    const v2 = await api.architectures.saveVersion({ teamId: team.team.id, architectureId: a.id, baseVersion: 1, spec: wider, message: 'wider, with batch norm' });
    expect(v2.version).toBe(2);
    const [code, message] = await codeOf(api.architectures.saveVersion({ teamId: team.team.id, architectureId: a.id, baseVersion: 1, spec, message: 'stale edit' }));
    expect(code).toBe('CONFLICT');
    expect(message).toMatch(/Version 2 was saved/);
    const v1 = await api.architectures.version({ teamId: team.team.id, architectureId: a.id, version: 1 });
    expect(v1.spec).toEqual(spec);
    const d = await api.architectures.diff({ teamId: team.team.id, architectureId: a.id, from: 1, to: 2 });
    expect(d.diff.counts.added).toBe(1);
    expect(d.diff.counts.changed).toBeGreaterThanOrEqual(1);
    expect(d.diff.params.total.delta).toBe(d.diff.params.total.after! - d.diff.params.total.before!);
    expect(d.diff.params.total.delta).toBeGreaterThan(0);
  });

  it('refuses an impossible spec with a message naming the layer, and stores nothing', async () => {
    const api = callerFor(team.owner);
    const bad: ArchitectureSpec = {
      version: 1,
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [8], dtype: 'float32', trainable: true },
        {
          type: 'conv2d',
          name: 'c1',
          filters: 4,
          kernelSize: 3,
          strides: 1,
          padding: 'valid',
          dilationRate: 1,
          activation: 'relu',
          useBias: true,
          kernelInitializer: 'glorotNormal',
          biasInitializer: 'zeros',
          trainable: true,
        },
      ],
    } as ArchitectureSpec;
    const [code, message] = await codeOf(api.architectures.create({ teamId: team.team.id, projectId, name: 'Broken', spec: bad }));
    expect(code).toBe('BAD_REQUEST');
    expect(message).toMatch(/layer 1 'c1' \(conv2d\).*\[8\]/);
    expect((await api.architectures.list({ teamId: team.team.id, projectId })).some((a) => a.name === 'Broken')).toBe(false);
    const [code2, message2] = await codeOf(
      api.architectures.create({ teamId: team.team.id, projectId, name: 'Bad schema', spec: { kind: 'sequential', layers: [{ type: 'dense', units: -3 }] } as never }),
    );
    expect(code2).toBe('BAD_REQUEST');
    expect(message2).toMatch(/spec\.layers\[0\]\.units/);
  });

  it('forks a version into a new architecture that remembers its origin', async () => {
    const api = callerFor(team.owner);
    const a = await api.architectures.create({ teamId: team.team.id, projectId, name: 'Original', spec: mlp() });
    const f = await api.architectures.fork({ teamId: team.team.id, architectureId: a.id, version: 1, name: 'My fork' });
    const got = await api.architectures.get({ teamId: team.team.id, architectureId: f.id });
    expect(got.forkedFrom).toEqual({ architectureId: a.id, name: 'Original', version: 1 });
    const [code] = await codeOf(api.architectures.fork({ teamId: team.team.id, architectureId: a.id, version: 1, name: 'My fork' }));
    expect(code).toBe('CONFLICT');
  });

  it('imports Keras JSON and exports JSON that TensorFlow.js builds into the same model', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 5, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
    const json = JSON.stringify(model.toJSON(null, false));
    const api = callerFor(team.owner);
    const a = await api.architectures.importKeras({ teamId: team.team.id, projectId, name: 'From Keras', json });
    const v = await api.architectures.version({ teamId: team.team.id, architectureId: a.id });
    expect(v.summary?.totalParams).toBe(model.countParams());
    const exported = await api.architectures.exportKeras({ teamId: team.team.id, architectureId: a.id });
    const rebuilt = (await tf.models.modelFromJSON(exported.model as never)) as tf.LayersModel;
    expect(rebuilt.countParams()).toBe(model.countParams());
    expect(rebuilt.outputs[0]!.shape).toEqual([null, 3]);
    const [code, message] = await codeOf(api.architectures.importKeras({ teamId: team.team.id, projectId, name: 'Junk', json: '{"not": "a model"' }));
    expect(code).toBe('BAD_REQUEST');
    expect(message).toMatch(/Not valid JSON/);
    model.dispose();
    rebuilt.dispose();
  });

  it('keeps architectures inside their team and read-only for viewers', async () => {
    const api = callerFor(team.owner);
    const a = await api.architectures.create({ teamId: team.team.id, projectId, name: 'Private', spec: mlp() });
    const other = await makeTeam();
    // An outsider using their own team id cannot reach team A's architecture by id.
    expect((await codeOf(callerFor(other.owner).architectures.get({ teamId: other.team.id, architectureId: a.id })))[0]).toBe('NOT_FOUND');
    expect((await codeOf(callerFor(other.owner).architectures.fork({ teamId: other.team.id, architectureId: a.id, version: 1, name: 'steal' })))[0]).toBe('NOT_FOUND');
    const otherProject = await makeProject(other, 'Theirs');
    expect((await codeOf(api.architectures.create({ teamId: team.team.id, projectId: otherProject.id, name: 'Cross', spec: mlp() })))[0]).toBe('NOT_FOUND');
    const viewer = await addMember(team.team.id, 'VIEWER');
    expect((await codeOf(callerFor(viewer).architectures.get({ teamId: team.team.id, architectureId: a.id })))[0]).toBe('OK');
    expect((await codeOf(callerFor(viewer).architectures.saveVersion({ teamId: team.team.id, architectureId: a.id, baseVersion: 1, spec: mlp(), message: 'x' })))[0]).toBe('FORBIDDEN');
  });
});

describe('architecture API under random input', () => {
  it('answers 300 schema-valid random specs with a stored version or a clear 400, never a 500', async () => {
    const fc = await import('fast-check');
    const { arbitrarySchemaValidSpec } = await import('@/lib/arch/arbitrary');
    const api = callerFor(team.owner);
    const samples = fc.sample(arbitrarySchemaValidSpec(), { numRuns: 300, seed: 20261126 });
    const codes: Record<string, number> = {};
    let n = 0;
    for (const spec of samples) {
      const [code, message] = await codeOf(api.architectures.create({ teamId: team.team.id, projectId, name: `fuzz-${n++}`, spec }));
      codes[code] = (codes[code] ?? 0) + 1;
      expect(['OK', 'BAD_REQUEST'], message).toContain(code);
      if (code === 'BAD_REQUEST') expect(message).toMatch(/layer \d+ '.+' \(\w+\)|spec/);
    }
    expect(codes.OK).toBeGreaterThan(0);
    expect(codes.BAD_REQUEST).toBeGreaterThan(0);
  });
});
