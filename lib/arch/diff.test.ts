import { describe, expect, it } from 'vitest';
import { alignLayers, diffArchitectures } from './diff';
import { ZArchitectureSpec, ZSequentialSpec, type ArchitectureSpecInput, type LayerInput } from './spec';

const seq = (...layers: LayerInput[]) => ZArchitectureSpec.parse({ kind: 'sequential', layers });
const spec = (input: ArchitectureSpecInput) => ZArchitectureSpec.parse(input);

const input: LayerInput = { type: 'input', shape: [10] };

describe('diffArchitectures', () => {
  it('shows an inserted layer as added, and the parameters it moves downstream', () => {
    const before = seq(input, { type: 'dense', units: 8 }, { type: 'dense', units: 2 });
    const after = seq(input, { type: 'dense', units: 8 }, { type: 'dense', units: 4, name: 'extra' }, { type: 'dense', units: 2 });
    const diff = diffArchitectures(before, after);
    expect(diff.counts).toEqual({ added: 1, removed: 0, changed: 0, unchanged: 3 });
    expect(diff.parts[0]!.layers.map((l) => [l.status, l.before?.name ?? null, l.after?.name ?? null, l.paramsDelta])).toEqual([
      ['unchanged', 'input', 'input', 0],
      ['unchanged', 'dense', 'dense', 0],
      ['added', null, 'extra', 36],
      // Same options, but it now reads 4 features instead of 8.
      ['unchanged', 'dense_1', 'dense_1', -8],
    ]);
    expect(diff.params.total).toEqual({ before: 88 + 18, after: 88 + 36 + 10, delta: 28 });
  });

  it('lists each changed option with its old and new value', () => {
    const before = seq(input, { type: 'dense', units: 8, activation: 'relu' }, { type: 'dropout', rate: 0.2 });
    const after = seq(input, { type: 'dense', units: 16, activation: 'relu', kernelRegularizer: { l2: 0.01 } }, { type: 'dropout', rate: 0.5 });
    const [, dense, dropout] = diffArchitectures(before, after).parts[0]!.layers;
    expect(dense).toMatchObject({
      status: 'changed',
      changes: [
        { option: 'units', before: 8, after: 16 },
        { option: 'kernelRegularizer', before: undefined, after: { l1: 0, l2: 0.01 } },
      ],
      paramsDelta: 88,
    });
    expect(dropout).toMatchObject({ status: 'changed', changes: [{ option: 'rate', before: 0.2, after: 0.5 }], paramsDelta: 0 });
  });

  it('descends into wrapped layers and treats explicit defaults as no change', () => {
    const lstm = (units: number) => ({ type: 'bidirectional', layer: { type: 'lstm', units } }) as const;
    const before = seq({ type: 'input', shape: [5, 3] }, lstm(4), { type: 'dense', units: 1 });
    const after = seq({ type: 'input', shape: [5, 3] }, lstm(8), { type: 'dense', units: 1, useBias: true });
    const diff = diffArchitectures(before, after);
    expect(diff.parts[0]!.layers.map((l) => [l.status, l.changes])).toEqual([
      ['unchanged', []],
      ['changed', [{ option: 'layer.units', before: 4, after: 8 }]],
      ['unchanged', []],
    ]);
  });

  it('pairs removed layers with the right neighbours', () => {
    const before = seq(input, { type: 'dense', units: 64 }, { type: 'dense', units: 32 }, { type: 'dense', units: 2 });
    const after = seq(input, { type: 'dense', units: 32 }, { type: 'dense', units: 2 });
    const layers = diffArchitectures(before, after).parts[0]!.layers;
    expect(layers.map((l) => [l.status, l.before?.index ?? null, l.after?.index ?? null])).toEqual([
      ['unchanged', 0, 0],
      ['removed', 1, null],
      ['unchanged', 2, 1],
      ['unchanged', 3, 2],
    ]);
    expect(layers[1]!.paramsDelta).toBe(-(10 * 64 + 64));
  });

  it('never pairs layers of different types', () => {
    const before = seq(input, { type: 'dense', units: 4 });
    const after = seq(input, { type: 'dropout', rate: 0.1 });
    expect(diffArchitectures(before, after).parts[0]!.layers.map((l) => l.status)).toEqual(['unchanged', 'removed', 'added']);
  });

  it('still diffs when a side cannot be built, with unknown parameters', () => {
    const before = seq(input, { type: 'dense', units: 4 });
    const after = seq(input, { type: 'conv2d', filters: 2, kernelSize: 3 });
    const diff = diffArchitectures(before, after);
    expect(diff.issues.before).toBeNull();
    expect(diff.issues.after?.code).toBe('input-rank');
    expect(diff.params.total).toEqual({ before: 44, after: null, delta: null });
    expect(diff.parts[0]!.layers.at(-1)).toMatchObject({ status: 'added', paramsDelta: null, after: { name: 'conv2d', params: null } });
  });

  it('diffs parts and settings of multi-part specs', () => {
    const gan = (latentDim: number, units: number) =>
      spec({
        kind: 'gan',
        latentDim,
        generator: [{ type: 'dense', units }],
        discriminator: [{ type: 'dense', units: 1, activation: 'sigmoid' }],
      });
    const diff = diffArchitectures(gan(8, 4), gan(16, 4));
    expect(diff.settings).toEqual([{ option: 'latentDim', before: 8, after: 16 }]);
    expect(diff.parts.map((p) => [p.part, p.status, p.paramsDelta])).toEqual([
      ['generator', 'kept', 32],
      ['discriminator', 'kept', 0],
    ]);

    const policy = (value: boolean) =>
      spec({
        kind: 'policy',
        policy: [
          { type: 'input', shape: [4] },
          { type: 'dense', units: 2 },
        ],
        ...(value ? { value: [{ type: 'dense', units: 1 }] } : {}),
      });
    expect(diffArchitectures(policy(false), policy(true)).parts.map((p) => [p.part, p.status, p.paramsDelta])).toEqual([
      ['policy', 'kept', 0],
      ['value', 'added', 5],
    ]);
  });
});

describe('alignLayers', () => {
  it('keeps the order of an edit script', () => {
    const layers = (...list: LayerInput[]) => ZSequentialSpec.parse({ kind: 'sequential', layers: list }).layers;
    const a = layers(input, { type: 'dense', units: 1 }, { type: 'flatten' });
    const b = layers(input, { type: 'dropout', rate: 0.1 }, { type: 'dense', units: 1 });
    expect(alignLayers(a, b)).toEqual([
      { kind: 'pair', i: 0, j: 0 },
      { kind: 'added', j: 1 },
      { kind: 'pair', i: 1, j: 2 },
      { kind: 'removed', i: 2 },
    ]);
  });
});
