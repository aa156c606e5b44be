import { describe, expect, it } from 'vitest';
import { inferArchitecture } from './infer';
import { ARCHITECTURE_TEMPLATES, getTemplate, TEMPLATE_IDS, TemplateMismatchError, templatesFor, ZDatasetShape, type DatasetShape, type TemplateId } from './templates';

function outputLayer(dataset: DatasetShape, id: TemplateId) {
  const spec = getTemplate(id).build(dataset);
  const layers = spec.kind === 'sequential' ? spec.layers : spec.kind === 'policy' ? spec.policy : [];
  return { summary: inferArchitecture(spec), last: layers.at(-1)! };
}

describe('architecture templates', () => {
  it('has a registry entry with title, description and family for every id', () => {
    expect(ARCHITECTURE_TEMPLATES.map((t) => t.id)).toEqual([...TEMPLATE_IDS]);
    for (const t of ARCHITECTURE_TEMPLATES) {
      expect(t.title.length).toBeGreaterThan(3);
      expect(t.description.length).toBeGreaterThan(20);
      expect(['mlp', 'cnn', 'rnn', 'autoencoder', 'gan', 'reinforcement']).toContain(t.family);
    }
  });

  it('fits the output head to the task', () => {
    const binary = outputLayer({ inputShape: [10], task: 'binary' }, 'mlp-classifier');
    expect(binary.last).toMatchObject({ type: 'dense', units: 1, activation: 'sigmoid' });
    const multi = outputLayer({ inputShape: [28, 28, 1], task: 'multiclass', numClasses: 10 }, 'cnn-classifier');
    expect(multi.last).toMatchObject({ type: 'dense', units: 10, activation: 'softmax' });
    expect(multi.summary.parts[0]!.inputShape).toEqual([28, 28, 1]);
    const regression = outputLayer({ inputShape: [3, 4], task: 'regression' }, 'mlp-regressor');
    expect(regression.last).toMatchObject({ type: 'dense', units: 1, activation: 'linear' });
    expect(regression.summary.parts[0]!.outputShape).toEqual([1]);
    const policy = outputLayer({ inputShape: [8], task: 'multiclass', numClasses: 4 }, 'policy-network');
    expect(policy.summary.parts.map((p) => [p.part, p.inputShape, p.outputShape])).toEqual([
      ['policy', [8], [4]],
      ['value', [8], [1]],
    ]);
  });

  it('keeps every part of a generative template on the dataset shape', () => {
    for (const shape of [
      [28, 28, 1],
      [16, 12],
      [32, 32, 3],
    ]) {
      const dataset: DatasetShape = { inputShape: shape, task: 'regression' };
      for (const id of ['autoencoder', 'conv-autoencoder'] as const) {
        const { parts } = inferArchitecture(getTemplate(id).build(dataset));
        expect(parts[1]!.outputShape, `${id} on ${shape}`).toEqual(shape);
      }
      for (const id of ['dcgan', 'mlp-gan'] as const) {
        const { parts } = inferArchitecture(getTemplate(id).build(dataset));
        expect(parts[0]!.outputShape, `${id} on ${shape}`).toEqual(shape);
        expect(parts[1]!.outputShape).toEqual([1]);
      }
    }
  });

  it('reads token sequences with an int32 input and an embedding', () => {
    const spec = getTemplate('text-classifier').build({ inputShape: [40], task: 'binary', vocabSize: 2000 });
    expect(spec.kind === 'sequential' && spec.layers.slice(0, 2)).toMatchObject([
      { type: 'input', shape: [40], dtype: 'int32' },
      { type: 'embedding', inputDim: 2000 },
    ]);
  });

  it('says why a template does not fit, and refuses to build it', () => {
    const table: DatasetShape = { inputShape: [10], task: 'binary' };
    expect(getTemplate('cnn-classifier').misfit(table)).toBe('needs image examples [height, width] or [height, width, channels], not [10]');
    expect(getTemplate('dcgan').misfit({ inputShape: [30, 30, 1], task: 'binary' })).toBe('needs height and width divisible by 4, not 30 × 30');
    expect(getTemplate('text-classifier').misfit(table)).toBe('needs token-id inputs (set vocabSize)');
    expect(() => getTemplate('cnn-classifier').build(table)).toThrow(TemplateMismatchError);
    expect(templatesFor(table).map((t) => t.id)).toEqual(['mlp-classifier', 'lstm-classifier', 'autoencoder', 'mlp-gan', 'policy-network']);
  });

  it('requires numClasses for a multiclass dataset', () => {
    expect(ZDatasetShape.safeParse({ inputShape: [4], task: 'multiclass' }).success).toBe(false);
    expect(ZDatasetShape.safeParse({ inputShape: [4], task: 'multiclass', numClasses: 3 }).success).toBe(true);
  });
});
