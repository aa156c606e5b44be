import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@/lib/random';
import { ZExplainReport } from '@/lib/schemas/run-documents';
import { explainRun, type ExplainData } from './report';
import { predictRows } from './model-io';
import { mlp } from './test-models';

/** As stored (JSON), the report must parse with its schema; the first issue, if any. */
const storedIssue = (report: unknown) => ZExplainReport.safeParse(JSON.parse(JSON.stringify(report))).error?.issues[0] ?? null;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Encoded rows [age, sex=F, sex=M, zip=A, zip=B, noise]: zip follows sex 90 % of the time, the
 * model ignores noise (zero weights), and labels are the model's own decisions.
 */
function tabular(n: number, outputs: number, activation: 'sigmoid' | 'softmax'): { model: tf.LayersModel; data: ExplainData } {
  const rng = createRng(3);
  const x = new Float32Array(n * 6);
  const sex: string[] = [];
  for (let i = 0; i < n; i++) {
    const female = rng.chance(0.5);
    const zipA = rng.chance(0.9) ? female : !female;
    sex.push(female ? 'F' : 'M');
    x.set([rng.normal(), female ? 1 : 0, female ? 0 : 1, zipA ? 1 : 0, zipA ? 0 : 1, rng.normal()], i * 6);
  }
  const model = mlp(6, outputs, activation, { ignored: [5], seed: 9 });
  const { values, width } = predictRows(model, { x, n, inputShape: [6] });
  const y = Int32Array.from({ length: n }, (_, i) => {
    if (width === 1) return values[i]! >= 0.5 ? 1 : 0;
    let best = 0;
    for (let c = 1; c < width; c++) if (values[i * width + c]! > values[i * width + best]!) best = c;
    return best;
  });
  return {
    model,
    data: {
      test: { x, y, n, sensitive: { sex } },
      train: { x, n },
      inputShape: [6],
      featureNames: ['age', 'sex=F', 'sex=M', 'zip=A', 'zip=B', 'noise'],
      task: { kind: activation === 'sigmoid' ? 'binary' : 'multiclass' },
      classNames: activation === 'sigmoid' ? ['no', 'yes'] : ['a', 'b', 'c'],
    },
  };
}

describe('explainRun', () => {
  it('explains a binary tabular model: grouped importance, complete IG, group summaries, JSON-safe and deterministic', async () => {
    const { model, data } = tabular(300, 1, 'sigmoid');
    const options = { seed: 4, permutationRepeats: 3, igExamples: 6, baseline: 'mean' as const };
    const report = await explainRun({ model, data, options });
    expect(storedIssue(report)).toBeNull();
    expect(report.dataKind).toBe('tabular');
    expect(report.features.map((f) => f.name)).toEqual(['age', 'sex', 'zip', 'noise']);
    const importance = Object.fromEntries(report.permutation!.features.map((f) => [f.name, f]));
    expect(importance.noise!.mean).toBe(0);
    expect(importance.noise!.std).toBe(0);
    expect(Math.max(importance.age!.mean, importance.sex!.mean, importance.zip!.mean)).toBeGreaterThan(0);

    const ig = report.integratedGradients!;
    expect(ig.baseline).toBe('mean');
    // Six examples, alternating classes in test order.
    expect(ig.examples).toHaveLength(6);
    expect(ig.examples.map((e) => e.label)).toEqual([0, 1, 0, 1, 0, 1]);
    const y = Array.from(data.test.y);
    expect(ig.examples.map((e) => e.row)).toEqual([0, 1, 2].flatMap((k) => [0, 1].map((c) => y.map((v, i) => [v, i]).filter(([v]) => v === c)[k]![1])));
    for (const example of ig.examples) {
      expect(example.outputs).toHaveLength(1);
      const [out] = example.outputs;
      expect(out!.attributions).toHaveLength(6);
      expect(out!.attributions[5]).toBe(0);
      expect(out!.relativeDelta).toBeLessThanOrEqual(0.01);
    }
    expect(ig.rows).toBe(256);
    expect(ig.globalMeanAbs.find((g) => g.feature === 'noise')!.value).toBe(0);

    expect(report.groups).toHaveLength(1);
    const proxies = Object.fromEntries(report.groups[0]!.proxies.map((p) => [p.feature, p]));
    expect(proxies.sex!.flag).toBe('direct');
    expect(proxies.zip!.valueAssociation).toBeGreaterThan(0.6);
    expect(proxies.noise!.flag).toBeNull();

    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(await explainRun({ model, data, options })).toEqual(report);
  });

  it('attributes every class of a multiclass model and picks the first examples of each class', async () => {
    const { model, data } = tabular(120, 3, 'softmax');
    const before = tf.memory().numTensors;
    const report = await explainRun({ model, data, options: { seed: 1, permutationRepeats: 1, igExamples: 4 } });
    expect(storedIssue(report)).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    const examples = report.integratedGradients!.examples;
    const labels = Array.from(data.test.y);
    const classesPresent = [...new Set(labels)].sort();
    expect(
      examples
        .slice(0, classesPresent.length)
        .map((e) => e.label)
        .sort(),
    ).toEqual(classesPresent);
    // Each example is the first of its class not already taken.
    expect(examples[0]!.row).toBe(labels.indexOf(examples[0]!.label));
    for (const example of examples) {
      expect(example.outputs.map((o) => o.name)).toEqual(['a', 'b', 'c']);
      for (const out of example.outputs) {
        expect(out.relativeDelta).toBeLessThanOrEqual(0.01);
        expect(out.attributions[5]).toBe(0);
      }
    }
  });

  it('explains an image model with pixel maps and skips text models', async () => {
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 2, activation: 'softmax' })],
    });
    const kernel = Array.from({ length: 16 }, (_, p) => (p === 5 ? [2, -2] : [0, 0]));
    model.setWeights([tf.tensor2d(kernel), tf.zeros([2])]);
    const rng = createRng(2);
    const n = 10;
    const x = Float32Array.from({ length: n * 16 }, () => rng.next());
    const y = Int32Array.from({ length: n }, (_, i) => (x[i * 16 + 5]! > 0.5 ? 0 : 1));
    const data: ExplainData = {
      test: { x, y, n, sensitive: {} },
      inputShape: [4, 4, 1],
      featureNames: [],
      task: { kind: 'multiclass' },
      classNames: ['bright', 'dark'],
    };
    const before = tf.memory().numTensors;
    const report = await explainRun({ model, data, options: { seed: 1, imageExamples: 2 } });
    expect(storedIssue(report)).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    expect(report.dataKind).toBe('image');
    expect(report.permutation).toBeNull();
    expect(report.images).toHaveLength(2);
    expect(report.images!.map((image) => image.output)).toEqual([0, 1]);
    for (const image of report.images!) {
      expect([image.height, image.width, image.channels]).toEqual([4, 4, 1]);
      // The input itself travels with the maps, for the overlays on the report page.
      expect(image.pixels).toEqual(Array.from(x.subarray(image.row * 16, image.row * 16 + 16), (v) => Math.round(v * 1000) / 1000));
      for (const map of [image.saliency, image.gradientTimesInput]) expect(map.indexOf(1)).toBe(5);
      // Blacking out the pixel lowers 'bright' and raises 'dark', whose map (drops only) stays empty.
      if (image.output === 0) expect(image.occlusion.indexOf(1)).toBe(5);
      else expect(Math.max(...image.occlusion)).toBe(0);
    }
    expect(report.integratedGradients!.examples.length).toBeLessThanOrEqual(2);

    const text = await explainRun({
      model,
      data: { ...data, test: { ...data.test, x: new Int32Array(n * 16) } },
      options: { seed: 1 },
    });
    expect(storedIssue(text)).toBeNull();
    expect(text.dataKind).toBe('text');
    expect(text.skipped[0]).toMatch(/token ids/);
  });
});
