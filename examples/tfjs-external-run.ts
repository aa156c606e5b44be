/**
 * Trains a TensorFlow.js model outside Deepboard's workers and logs it with the SDK: params,
 * per-epoch loss and validation metrics, and the test-set predictions with a sensitive attribute,
 * so the run gets the same evaluation and fairness report as a worker-trained run.
 *
 *   DEEPBOARD_URL=http://localhost:3000 DEEPBOARD_API_KEY=dbk_… DEEPBOARD_PROJECT=my-project \
 *     node bin/run-ts.mjs examples/tfjs-external-run.ts [--epochs 20]
 *
 * The data is a synthetic loan-approval table with a planted bias against group "B", so the
 * fairness report has something to show.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Deepboard, type Run } from '../sdk/index';

/** mulberry32: a small seeded generator, so every run sees the same data. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function loanData(n: number, seed = 7) {
  const r = rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  const group: string[] = [];
  for (let i = 0; i < n; i++) {
    const g = r() < 0.4 ? 'B' : 'A';
    const income = r();
    const debt = r();
    const history = r();
    // Historical decisions penalised group B at equal merit: the bias a model learns.
    const merit = 2.2 * income - 1.6 * debt + 1.2 * history - (g === 'B' ? 0.6 : 0) + (r() - 0.5) * 0.6;
    x.push([income, debt, history, g === 'B' ? 1 : 0]);
    y.push(merit > 0.4 ? 1 : 0);
    group.push(g);
  }
  return { x, y, group };
}

export interface ExampleOptions {
  db: Deepboard;
  project: string;
  epochs?: number;
  rows?: number;
  seed?: number;
  log?: (line: string) => void;
}

export async function trainAndLog({ db, project, epochs = 20, rows = 1200, seed = 7, log = () => {} }: ExampleOptions): Promise<{ run: Run; testAccuracy: number }> {
  await tf.setBackend('cpu');
  const data = loanData(rows, seed);
  const nTrain = Math.floor(rows * 0.7);
  const nVal = Math.floor(rows * 0.15);
  const split = (from: number, to: number) => ({ x: data.x.slice(from, to), y: data.y.slice(from, to), group: data.group.slice(from, to) });
  const train = split(0, nTrain);
  const val = split(nTrain, nTrain + nVal);
  const test = split(nTrain + nVal, rows);
  const learningRate = 0.05;
  const hidden = 16;

  const run = await db.createRun({
    project,
    name: `tfjs loans (external) ${new Date().toISOString().slice(0, 16)}`,
    params: { learningRate, hidden, epochs, optimizer: 'adam', batchSize: 64, seed, framework: `tfjs ${tf.version.tfjs}` },
    tags: { source: 'sdk-example' },
  });
  log(`created run #${run.number} (${run.id})`);

  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const xs = tf.tensor2d(train.x);
  const ys = tf.tensor2d(train.y, [train.y.length, 1]);
  const vx = tf.tensor2d(val.x);
  const vy = tf.tensor2d(val.y, [val.y.length, 1]);
  try {
    await model.fit(xs, ys, {
      epochs,
      batchSize: 64,
      shuffle: false,
      validationData: [vx, vy],
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch, logs = {}) => {
          // Names as the runs table writes them: val_* is the validation split.
          run.logMetrics({ loss: logs.loss!, accuracy: logs.acc ?? logs.accuracy!, val_loss: logs.val_loss!, val_accuracy: logs.val_acc ?? logs.val_accuracy! }, epoch + 1);
          log(`epoch ${epoch + 1}: loss ${logs.loss!.toFixed(4)} val_accuracy ${(logs.val_acc ?? logs.val_accuracy!).toFixed(4)}`);
        },
      },
    });
    const predict = (x: number[][]) => tf.tidy(() => Array.from((model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync()));
    const scores = predict(test.x);
    const valScores = predict(val.x);
    const result = await run.uploadPredictions({
      task: 'binary',
      labels: test.y,
      scores,
      classNames: ['denied', 'approved'],
      sensitive: { group: test.group },
      validation: { labels: val.y, scores: valScores, sensitive: { group: val.group } },
    });
    log(`test accuracy ${result.metrics.accuracy?.toFixed(4)}; demographic parity difference ${result.fairness?.summary.group?.demographic_parity_difference?.toFixed(4)}`);
    await run.uploadArtifact('model/summary.txt', `dense(${hidden}, relu) → dense(1, sigmoid); ${model.countParams()} parameters\n`);
    await run.finish();
    return { run, testAccuracy: result.metrics.accuracy ?? NaN };
  } catch (err) {
    await run.finish('FAILED', (err as Error).message).catch(() => {});
    throw err;
  } finally {
    tf.dispose([xs, ys, vx, vy]);
    model.dispose();
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  const url = process.env.DEEPBOARD_URL ?? 'http://localhost:3000';
  const apiKey = process.env.DEEPBOARD_API_KEY;
  const project = process.env.DEEPBOARD_PROJECT;
  const i = process.argv.indexOf('--epochs');
  const epochs = i > 0 ? Number(process.argv[i + 1]) : 20;
  if (!apiKey || !project || !Number.isInteger(epochs) || epochs < 1) {
    console.error('usage: DEEPBOARD_URL=… DEEPBOARD_API_KEY=dbk_… DEEPBOARD_PROJECT=<project slug> node bin/run-ts.mjs examples/tfjs-external-run.ts [--epochs N]');
    process.exit(2);
  }
  trainAndLog({ db: new Deepboard({ url, apiKey }), project, epochs, log: (l) => console.log(l) })
    .then(({ run }) => console.log(`done: ${url.replace(/\/$/, '')}/api/v1/runs/${run.id}`))
    .catch((err) => {
      console.error(`error: ${(err as Error).message}`);
      process.exit(1);
    });
}
