import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import { LocalArtifactStore } from '@/lib/artifacts/store';
import { buildArchitecture, buildModel } from '../model/build';
import { disposeModels } from '../training/compile';
import { blobs, linear, mlpSpec, runConfig } from '../training/fixtures';
import type { TrainerState } from '../training/hooks';
import { trainSupervised } from '../training/supervised';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { directoryHandler, storeHandler } from './model-files';
import { readZip, unzipTo, zipCheckpoint } from '@/lib/artifacts/checkpoint-zip';

let dir: string;
let store: LocalArtifactStore;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(os.tmpdir(), 'deepboard-ckpt-'));
  store = new LocalArtifactStore(path.join(dir, 'store'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const state: TrainerState = { epoch: 3, step: 30, monitors: {} };
const predictions = (model: tf.LayersModel, x: tf.Tensor) => tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));

describe('store IO handler', () => {
  it('saves the tfjs layers format and loads back a model with identical predictions', async () => {
    const model = await buildModel(mlpSpec(3, 2, 'softmax'), undefined, { seed: 5 });
    const x = blobs(10, 3, 1).x;
    await model.save(storeHandler(store, 'runs/a/plain'));
    const json = JSON.parse((await store.get('runs/a/plain/model.json')).toString()) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: expect.any(Array) }]);
    // 3·8 + 8 + 8·2 + 2 float32 values.
    expect(await store.size('runs/a/plain/weights.bin')).toBe(4 * (24 + 8 + 16 + 2));
    const loaded = await tf.loadLayersModel(storeHandler(store, 'runs/a/plain'));
    expect(predictions(loaded, x)).toEqual(predictions(model, x));
    model.dispose();
    loaded.dispose();
  });
});

describe('checkpoints', () => {
  it('keeps the optimizer state: a loaded Adam has the same step count and moments', async () => {
    const data = blobs(64, 2, 2);
    const config = runConfig({ epochs: 2, batchSize: 16 }, { task: 'binary' });
    const model = await buildModel(mlpSpec(2, 1, 'sigmoid'), undefined, { seed: 1 });
    await trainSupervised({ model, data, config });
    const meta = await saveCheckpoint(store, 'runs/b/ckpt', { models: { model }, state, kind: 'epoch' });
    expect(meta).toMatchObject({ version: 1, epoch: 3, parts: ['model'], optimizerState: ['model'] });

    const loaded = await loadCheckpoint(store, 'runs/b/ckpt');
    const optimizer = loaded.models.model!.optimizer;
    expect(optimizer.getClassName()).toBe('Adam');
    expect(optimizer.iterations).toBe(8);
    const moments = async (o: tf.Optimizer) => Promise.all((await o.getWeights()).map((w) => Array.from(w.tensor.dataSync())));
    expect(await moments(optimizer)).toEqual(await moments(model.optimizer));
    expect(loaded.meta.state).toEqual(state);
    disposeModels([model]);
    loaded.dispose();
  });

  it('saves Adamax without its state (tfjs cannot) and huber without a loss name, and both load', async () => {
    const data = linear(32, 3);
    for (const [optimizer, loss] of [
      [{ name: 'adamax' }, 'meanSquaredError'],
      [{ name: 'adam' }, 'huber'],
    ] as const) {
      const config = runConfig({ epochs: 1, batchSize: 16, optimizer, loss }, { task: 'regression' });
      const model = await buildModel(mlpSpec(2, 1, 'linear'), undefined, { seed: 1 });
      await trainSupervised({ model, data, config });
      const prefix = `runs/c/${optimizer.name}-${loss}`;
      const meta = await saveCheckpoint(store, prefix, { models: { model }, state, kind: 'best', value: 0.5 });
      expect(meta.optimizerState).toEqual(optimizer.name === 'adamax' ? [] : ['model']);
      const loaded = await loadCheckpoint(store, prefix);
      expect(predictions(loaded.models.model!, data.x)).toEqual(predictions(model, data.x));
      disposeModels([model]);
      loaded.dispose();
    }
  });

  it('saves and loads every part of a multi-part model', async () => {
    const spec = ZArchitectureSpec.parse({
      kind: 'autoencoder',
      encoder: [
        { type: 'input', shape: [6] },
        { type: 'dense', units: 2, activation: 'relu' },
      ],
      decoder: [{ type: 'dense', units: 6, activation: 'sigmoid' }],
    });
    const built = await buildArchitecture(spec, { seed: 3 });
    await saveCheckpoint(store, 'runs/d/ckpt', { models: built.models, state, kind: 'final' });
    const loaded = await loadCheckpoint(store, 'runs/d/ckpt');
    expect(Object.keys(loaded.models)).toEqual(['encoder', 'decoder']);
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 1);
    const code = predictions(loaded.models.encoder!, x);
    expect(code).toEqual(predictions(built.models.encoder!, x));
    expect(predictions(loaded.models.decoder!, tf.tensor2d(code, [4, 2]))).toEqual(predictions(built.models.decoder!, tf.tensor2d(code, [4, 2])));
    built.dispose();
    loaded.dispose();
  });

  it('says which checkpoint is missing', async () => {
    await expect(loadCheckpoint(store, 'runs/none/ckpt')).rejects.toThrow(new CheckpointError('no checkpoint at runs/none/ckpt (checkpoint.json is missing)'));
  });
});

describe('checkpoint zip', () => {
  it('unzips into folders that load as tfjs layers models with identical predictions', async () => {
    const model = await buildModel(mlpSpec(3, 1, 'sigmoid'), undefined, { seed: 9 });
    const x = blobs(8, 3, 4).x;
    await saveCheckpoint(store, 'runs/e/ckpt', { models: { model }, state, kind: 'final' });
    const zip = await zipCheckpoint(store, 'runs/e/ckpt');
    expect([...(await readZip(zip)).keys()].sort()).toEqual(['checkpoint.json', 'model/model.json', 'model/weights.bin']);

    const out = path.join(dir, 'unzipped');
    await unzipTo(zip, out);
    const loaded = await tf.loadLayersModel(directoryHandler(path.join(out, 'model')));
    expect(predictions(loaded, x)).toEqual(predictions(model, x));
    // The same bytes as the store holds: the zip is a copy, not a re-encoding.
    expect(await readFile(path.join(out, 'model', 'weights.bin'))).toEqual(await store.get('runs/e/ckpt/model/weights.bin'));
    model.dispose();
    loaded.dispose();
  });
});

describe('resuming supervised training', () => {
  it('continues from a saved epoch exactly as an uninterrupted run does', async () => {
    const data = blobs(96, 3, 6);
    const val = blobs(32, 3, 7);
    const config = runConfig({ epochs: 5, batchSize: 16, learningRate: 0.02, checkpoint: { everyEpochs: 2, keepBest: false } }, { task: 'binary' });
    const fullData = { x: data.x, y: data.y, validation: { x: val.x, y: val.y } };

    // The uninterrupted run saves a checkpoint after epoch 2 (and 4) on the way.
    const model = await buildModel(mlpSpec(3, 1, 'sigmoid'), undefined, { seed: 21 });
    const full = await trainSupervised({
      model,
      data: fullData,
      config,
      hooks: {
        onCheckpoint: async (e) => {
          if (e.epoch === 2) await saveCheckpoint(store, 'runs/f/epoch-2', { models: e.models, state: e.state, kind: e.kind });
        },
      },
    });

    const checkpoint = await loadCheckpoint(store, 'runs/f/epoch-2');
    expect(checkpoint.meta.state).toMatchObject({ epoch: 2, step: 12 });
    const steps: number[] = [];
    const resumed = await trainSupervised({
      model: checkpoint.models.model!,
      data: fullData,
      config,
      initialEpoch: checkpoint.meta.epoch,
      initialState: checkpoint.meta.state,
      hooks: { onBatchEnd: (e) => void steps.push(e.step) },
    });
    expect(resumed.history.epoch).toEqual([3, 4, 5]);
    expect(steps[0]).toBe(13);
    // Adam's bias correction is recomputed on load, so allow for the last float bits.
    for (const key of ['loss', 'val_loss', 'accuracy']) {
      resumed.history.logs[key]!.forEach((v, i) => expect(v, `${key} epoch ${i + 3}`).toBeCloseTo(full.history.logs[key]![i + 2]!, 5));
    }
    predictions(resumed.model, val.x).forEach((p, i) => expect(p).toBeCloseTo(predictions(full.model, val.x)[i]!, 5));

    // A fresh optimizer (what resuming without the state would do) takes visibly different steps.
    const restarted = await loadCheckpoint(store, 'runs/f/epoch-2');
    restarted.models.model!.optimizer.dispose();
    (restarted.models.model as unknown as { optimizer: undefined }).optimizer = undefined;
    const fresh = await trainSupervised({ model: restarted.models.model!, data: fullData, config, initialEpoch: 2 });
    expect(Math.abs(fresh.history.logs.loss![0]! - full.history.logs.loss![2]!)).toBeGreaterThan(1e-4);
    disposeModels([model, restarted.models.model]);
    checkpoint.dispose();
  });
});
