import { describe, expect, it } from 'vitest';
import { LAYER_TYPES, parseArchitectureSpec, specParts, ZArchitectureSpec } from './spec';

describe('ZArchitectureSpec', () => {
  it('fills in TensorFlow.js defaults, so a parsed spec is fully resolved', () => {
    const spec = ZArchitectureSpec.parse({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [28, 28, 1] },
        { type: 'conv2d', filters: 8, kernelSize: 3 },
        { type: 'lstm', units: 4 },
      ],
    });
    expect(spec.version).toBe(1);
    expect(spec.kind === 'sequential' && spec.layers).toEqual([
      { type: 'input', shape: [28, 28, 1], dtype: 'float32', trainable: true },
      {
        type: 'conv2d',
        filters: 8,
        kernelSize: 3,
        strides: 1,
        padding: 'valid',
        dilationRate: 1,
        activation: 'linear',
        useBias: true,
        kernelInitializer: 'glorotNormal',
        biasInitializer: 'zeros',
        trainable: true,
      },
      {
        type: 'lstm',
        units: 4,
        activation: 'tanh',
        recurrentActivation: 'hardSigmoid',
        useBias: true,
        unitForgetBias: false,
        kernelInitializer: 'glorotNormal',
        recurrentInitializer: 'orthogonal',
        biasInitializer: 'zeros',
        dropout: 0,
        recurrentDropout: 0,
        returnSequences: false,
        goBackwards: false,
        trainable: true,
      },
    ]);
  });

  it('rejects unknown options and explains leakyRelu, with one-line paths', () => {
    const typo = parseArchitectureSpec({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [4] },
        { type: 'dense', unit: 3 },
      ],
    });
    expect(typo).toEqual({ ok: false, message: expect.stringContaining('layers[1]') });
    expect(!typo.ok && typo.message).toContain('unit');

    const leaky = parseArchitectureSpec({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [4] },
        { type: 'dense', units: 3, activation: 'leakyRelu' },
      ],
    });
    expect(leaky).toEqual({
      ok: false,
      message: "layers[1].activation: leakyRelu is its own layer in TensorFlow.js: add { type: 'activation', activation: 'leakyRelu', alpha } after this layer",
    });

    expect(parseArchitectureSpec({ kind: 'sequential', layers: [] })).toEqual({
      ok: false,
      message: expect.stringMatching(/^layers: /),
    });
    expect(parseArchitectureSpec({ kind: 'sequential', layers: [{ type: 'input', shape: [4], name: '1bad' }] })).toEqual({
      ok: false,
      message: expect.stringContaining('layers[0].name: a layer name starts with a letter'),
    });
  });

  it('lists every layer type and the parts of each kind', () => {
    expect(LAYER_TYPES).toContain('bidirectional');
    expect(LAYER_TYPES).toHaveLength(35);
    const policy = ZArchitectureSpec.parse({
      kind: 'policy',
      policy: [
        { type: 'input', shape: [4] },
        { type: 'dense', units: 2 },
      ],
      value: [{ type: 'dense', units: 1 }],
    });
    expect(specParts(policy).map((p) => [p.part, p.source])).toEqual([
      ['policy', { from: 'input-layer' }],
      ['value', { from: 'part', part: 'policy', what: 'input' }],
    ]);
  });
});
