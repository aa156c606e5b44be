import { expectUsageError, fakeIo as sharedFakeIo } from '../test-io';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKerasModel } from '@/lib/arch/keras';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import { archSummaryCommand } from './arch';

const SPEC = {
  kind: 'sequential',
  layers: [{ type: 'input', shape: [8, 8, 1] }, { type: 'conv2d', name: 'c1', filters: 4, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', units: 2, activation: 'softmax' }],
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'deepboard-arch-'));
  await writeFile(path.join(dir, 'spec.json'), JSON.stringify(SPEC));
  await writeFile(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: exportKerasModel(ZArchitectureSpec.parse(SPEC)) }));
  await writeFile(path.join(dir, 'broken.json'), '{"kind": "sequential", ');
  await writeFile(
    path.join(dir, 'impossible.json'),
    JSON.stringify({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [8] },
        { type: 'conv2d', name: 'c1', filters: 2, kernelSize: 3 },
      ],
    }),
  );
  await writeFile(
    path.join(dir, 'gru.json'),
    JSON.stringify({
      class_name: 'Sequential',
      config: { layers: [{ class_name: 'GRU', config: { name: 'g', units: 2, reset_after: true, batch_input_shape: [null, 4, 3] } }] },
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fakeIo = () => sharedFakeIo(dir);
const usageError = (argv: string[]) => expectUsageError(archSummaryCommand, argv, dir);

describe('deepboard arch summary', () => {
  it('is registered under arch summary', () => {
    expect(archSummaryCommand.path).toEqual(['arch', 'summary']);
    expect(archSummaryCommand.usage).toBe('deepboard arch summary FILE [--json]');
  });

  it('prints the table of a spec file', async () => {
    const io = fakeIo();
    expect(await archSummaryCommand.run(['spec.json'], io)).toBe(0);
    expect(io.out).toContain(' c1 (conv2d)');
    expect(io.out).toContain('(None, 6, 6, 4)');
    expect(io.out).toContain('Total params: 330 (1.29 KB)');
    expect(io.err).toBe('');
  });

  it('prints JSON with --json, for a Keras model.json as for a spec', async () => {
    for (const file of ['spec.json', path.join(dir, 'model.json')]) {
      const io = fakeIo();
      expect(await archSummaryCommand.run([file, '--json'], io)).toBe(0);
      const json = JSON.parse(io.out);
      expect(json).toMatchObject({ totalParams: 330, trainableParams: 330, nonTrainableParams: 0 });
      expect(json.layers.map((l: { name: string }) => l.name)).toEqual(['input', 'c1', 'flatten', 'dense']);
      expect(json.layers[1]).toEqual({ name: 'c1', type: 'conv2d', outputShape: [6, 6, 4], params: 40 });
    }
  });

  it('reports import warnings on stderr', async () => {
    const io = fakeIo();
    expect(await archSummaryCommand.run(['gru.json'], io)).toBe(0);
    expect(io.err).toMatch(/^warning: layer 0 'g' \(GRU\): uses reset_after=True/);
  });

  it.each([
    [[], 'missing FILE; usage: deepboard arch summary FILE [--json]'],
    [['a.json', 'b.json'], "unexpected argument 'b.json'"],
    [['spec.json', '--yaml'], "Unknown option '--yaml'"],
    [['nope.json'], 'cannot read nope.json: no such file'],
    [['broken.json'], 'broken.json is not valid JSON'],
    [['impossible.json'], "impossible.json: layer 1 'c1' (conv2d) needs a 3-D input [height, width, channels] but gets [8]"],
  ])('exits with a usage error for %j', async (argv, message) => {
    expect((await usageError(argv)).message).toContain(message);
  });
});
