import { describe, expect, it } from 'vitest';
import { inferArchitecture } from './infer';
import { exportKerasModel } from './keras';
import { ArchitectureLoadError, formatKerasShape, formatSummaryTable, loadArchitectureJson, toSummaryJson } from './summary';
import { ZArchitectureSpec } from './spec';

const MLP = {
  kind: 'sequential',
  layers: [{ type: 'input', shape: [784] }, { type: 'dense', units: 128, activation: 'relu' }, { type: 'batchNormalization' }, { type: 'dense', name: 'logits', units: 10, activation: 'softmax' }],
};

describe('loadArchitectureJson', () => {
  it('reads a Deepboard spec', () => {
    const loaded = loadArchitectureJson(MLP);
    expect(loaded.format).toBe('deepboard');
    expect(loaded.spec).toEqual(ZArchitectureSpec.parse(MLP));
  });

  it('reads Keras / tfjs JSON, bare or wrapped in a model.json', () => {
    const keras = exportKerasModel(ZArchitectureSpec.parse(MLP));
    for (const json of [keras, { modelTopology: keras }, { modelTopology: { model_config: keras } }]) {
      const loaded = loadArchitectureJson(json);
      expect(loaded.format).toBe('keras');
      expect(inferArchitecture(loaded.spec).totalParams).toBe(inferArchitecture(ZArchitectureSpec.parse(MLP)).totalParams);
    }
  });

  it.each([
    [
      {
        kind: 'sequential',
        layers: [
          { type: 'input', shape: [4] },
          { type: 'dense', units: -1 },
        ],
      },
      /^invalid architecture spec: layers\[1\]\.units: /,
    ],
    [
      { class_name: 'Sequential', config: { layers: [{ class_name: 'Masking', config: { name: 'm', batch_input_shape: [null, 3] } }] } },
      "cannot import the Keras model: layer 0 'm' (Masking) is not a layer type Deepboard supports",
    ],
    [[1, 2, 3], /^not an architecture: expected a Deepboard spec/],
    ['{"kind": "sequential"}', /^not an architecture/],
  ])('explains what is wrong in one line: %#', (json, message) => {
    expect(() => loadArchitectureJson(json)).toThrow(ArchitectureLoadError);
    expect(() => loadArchitectureJson(json)).toThrow(message);
    try {
      loadArchitectureJson(json);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('formatSummaryTable', () => {
  it('prints a Keras-style table with totals', () => {
    const table = formatSummaryTable(inferArchitecture(ZArchitectureSpec.parse(MLP)));
    expect(table.split('\n')).toEqual([
      'Model: "model"',
      '__________________________________________________________________',
      ' Layer (type)                              Output Shape  Param #',
      '==================================================================',
      ' input (input)                             (None, 784)   0',
      '',
      ' dense (dense)                             (None, 128)   100,480',
      '',
      ' batch_normalization (batchNormalization)  (None, 128)   512',
      '',
      ' logits (dense)                            (None, 10)    1,290',
      '==================================================================',
      'Total params: 102,282 (399.54 KB)',
      'Trainable params: 102,026 (398.54 KB)',
      'Non-trainable params: 256 (1.00 KB)',
      '__________________________________________________________________',
    ]);
  });

  it('prints one table per part with overall totals, saying where each part’s input comes from', () => {
    const gan = ZArchitectureSpec.parse({
      kind: 'gan',
      latentDim: 16,
      generator: [{ type: 'dense', units: 4 }],
      discriminator: [{ type: 'dense', units: 1, activation: 'sigmoid' }],
    });
    const table = formatSummaryTable(inferArchitecture(gan));
    expect(table).toContain('Architecture: gan (generator + discriminator)');
    expect(table).toContain('Model: "generator", input (None, 16) = the latent vector');
    expect(table).toContain('Model: "discriminator", input (None, 4) = the generator\'s output');
    expect(table).toContain('Total params (all parts): 73 (292 B)');
  });

  it('formats unknown sizes as None', () => {
    expect(formatKerasShape([null, 8])).toBe('(None, None, 8)');
  });
});

describe('toSummaryJson', () => {
  it('lists layers with name, type, output shape and parameters', () => {
    expect(toSummaryJson(inferArchitecture(ZArchitectureSpec.parse(MLP)))).toEqual({
      layers: [
        { name: 'input', type: 'input', outputShape: [784], params: 0 },
        { name: 'dense', type: 'dense', outputShape: [128], params: 100480 },
        { name: 'batch_normalization', type: 'batchNormalization', outputShape: [128], params: 512 },
        { name: 'logits', type: 'dense', outputShape: [10], params: 1290 },
      ],
      totalParams: 102282,
      trainableParams: 102026,
      nonTrainableParams: 256,
    });
  });
});
