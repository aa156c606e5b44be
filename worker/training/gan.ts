/**
 * GAN trainer: the classic alternating loop (Goodfellow et al. 2014, with the non-saturating
 * generator loss). Each step draws a batch of real samples, updates the discriminator
 * `discriminatorSteps` times on real (label 1 − smoothing) against generated (label 0) samples,
 * then updates the generator to make the discriminator say 1.
 *
 * Latent noise comes from tfjs's seeded generators with a seed derived from (run seed, step,
 * update), so a run and its resumption draw the same noise. GAN losses say little about sample
 * quality, so there are no keep-best checkpoints: only the periodic ones.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '@/lib/random';
import { learningRateAt, type ResolvedRunConfig } from '@/lib/schemas/runs';
import { batchCount, batchIndices, epochOrder, gatherRows, STREAMS } from './batches';
import { compileForTraining } from './compile';
import { trainableVariables, type History } from './fit-loop';
import { checkFinite, eventLoopYielder, throttleBatches, TrainingDataError, withDefaults, type Logs, type StopReason, type TrainerHooks, type TrainerState } from './hooks';
import { exampleLosses } from './losses';
import { setLearningRate } from './optimizers';
import { imageShape, pixelRange, toImages } from './samples';

export interface GanData {
  /** Real samples [n, ...sample shape], scaled to the generator's output range (tanh: [-1, 1]). */
  x: tf.Tensor;
}

export interface GanInput {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  data: GanData;
  config: ResolvedRunConfig;
  hooks?: Partial<TrainerHooks>;
  initialEpoch?: number;
  initialState?: TrainerState;
}

export interface GanResult {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  history: History;
  stopReason: StopReason;
  lastEpoch: number;
  state: TrainerState;
}

const LOG_KEYS = ['d_loss', 'g_loss', 'd_acc_real', 'd_acc_fake'] as const;

const bce = (target: number, scores: tf.Tensor) => tf.mean(exampleLosses('binaryCrossentropy', tf.fill(scores.shape, target), scores)) as tf.Scalar;

export async function trainGan(input: GanInput): Promise<GanResult> {
  const { generator: G, discriminator: D, data, config } = input;
  const hooks = withDefaults(input.hooks);
  const latentDim = G.inputs[0]!.shape[1]!;
  const sampleShape = G.outputs[0]!.shape.slice(1);
  const realShape = data.x.shape.slice(1);
  if (JSON.stringify(sampleShape) !== JSON.stringify(realShape)) {
    throw new TrainingDataError(`the generator makes samples of shape [${sampleShape.join(', ')}] but the data's are [${realShape.join(', ')}]`);
  }
  const dOutput = D.outputs[0]!.shape;
  if (dOutput.length !== 2 || dOutput[1] !== 1) {
    throw new TrainingDataError(`the discriminator must end in one sigmoid unit, not [${dOutput.slice(1).join(', ')}]`);
  }
  const n = data.x.shape[0]!;
  const { gan } = config;
  const realLabel = 1 - gan.labelSmoothing;
  const nominalLoss = () => tf.scalar(0);
  const dOpt = compileForTraining(D, config, 'binaryCrossentropy', hooks.log, nominalLoss);
  const gOpt = compileForTraining(G, config, 'binaryCrossentropy', hooks.log, nominalLoss);
  const dVars = trainableVariables([D]);
  const gVars = trainableVariables([G]);

  const batches = batchCount(n, config.batchSize);
  const initialEpoch = input.initialEpoch ?? 0;
  let step = input.initialState?.step ?? initialEpoch * batches;
  const report = throttleBatches(hooks.onBatchEnd, config.batchMetricThrottleMs);
  const yieldNow = eventLoopYielder();
  const history: History = { epoch: [], logs: {} };
  let stopReason: StopReason = 'completed';
  let lastEpoch = initialEpoch;
  const state = (): TrainerState => ({ epoch: lastEpoch, step, monitors: {} });

  // The same latent vectors every epoch, so the UI shows one set of samples improving.
  const image = imageShape(sampleShape);
  const range = image ? pixelRange(data.x) : null;
  const fixedLatent = image ? tf.randomNormal([gan.sampleCount, latentDim], 0, 1, 'float32', deriveSeed(config.seed, STREAMS.fixedSamples)) : null;
  const latent = (b: number, update: number) => tf.randomNormal([b, latentDim], 0, 1, 'float32', deriveSeed(config.seed, STREAMS.latent, step, update));

  try {
    for (let epoch = initialEpoch + 1; epoch <= config.epochs; epoch++) {
      const learningRate = learningRateAt(config, epoch - 1);
      setLearningRate(dOpt, learningRate);
      setLearningRate(gOpt, learningRate);
      const order = epochOrder(n, config.seed, epoch);
      const sums = new Array<number>(LOG_KEYS.length).fill(0);
      let cancelled = false;

      for (let batch = 0; batch < batches; batch++) {
        const [real] = gatherRows([data.x], batchIndices(order, config.batchSize, batch));
        const b = real!.shape[0]!;
        let values: number[] = [];
        try {
          let dLoss = 0;
          let accReal = 0;
          let accFake = 0;
          for (let k = 0; k < gan.discriminatorSteps; k++) {
            const fake = tf.tidy(() => G.apply(latent(b, k), { training: true }) as tf.Tensor);
            let scores: tf.Tensor[] = [];
            const loss = dOpt.minimize(
              () => {
                const onReal = D.apply(real!, { training: true }) as tf.Tensor;
                const onFake = D.apply(fake, { training: true }) as tf.Tensor;
                scores = [tf.keep(onReal), tf.keep(onFake)];
                return tf.add(bce(realLabel, onReal), bce(0, onFake)) as tf.Scalar;
              },
              true,
              dVars,
            )!;
            [dLoss, accReal, accFake] = tf.tidy(() => [
              loss.dataSync()[0]!,
              tf.mean(tf.greater(scores[0]!, 0.5).cast('float32')).dataSync()[0]!,
              tf.mean(tf.lessEqual(scores[1]!, 0.5).cast('float32')).dataSync()[0]!,
            ]);
            tf.dispose([fake, loss, ...scores]);
          }
          const gLossTensor = gOpt.minimize(() => bce(1, D.apply(G.apply(latent(b, gan.discriminatorSteps), { training: true }), { training: true }) as tf.Tensor), true, gVars)!;
          const gLoss = (await gLossTensor.data())[0]!;
          gLossTensor.dispose();
          values = [dLoss, gLoss, accReal, accFake];
        } finally {
          tf.dispose(real!);
        }
        step++;
        checkFinite(values[0]!, epoch, step, 'discriminator loss');
        checkFinite(values[1]!, epoch, step, 'generator loss');
        values.forEach((v, i) => (sums[i]! += v * b));
        await report({ epoch, batch, step, logs: toLogs(values) }, batch === batches - 1);
        await yieldNow();
        if (await hooks.shouldStop()) {
          cancelled = true;
          break;
        }
      }
      if (cancelled) {
        stopReason = 'cancelled';
        hooks.log(`stopped on request during epoch ${epoch}, after step ${step}`);
        break;
      }

      const logs = toLogs(sums.map((s) => s / n));
      logs.learning_rate = learningRate;
      lastEpoch = epoch;
      history.epoch.push(epoch);
      for (const [key, value] of Object.entries(logs)) (history.logs[key] ??= []).push(value);
      await hooks.onEpochEnd({ epoch, logs });
      if (fixedLatent && image && range) {
        const generated = tf.tidy(() => G.apply(fixedLatent, { training: false }) as tf.Tensor);
        const images = toImages(generated, image, range);
        generated.dispose();
        await hooks.onSamples({ epoch, kind: 'generated', samples: images.map((output) => ({ output })) });
      }
      if (config.checkpoint.everyEpochs > 0 && epoch % config.checkpoint.everyEpochs === 0) {
        await hooks.onCheckpoint({ kind: 'epoch', epoch, models: { generator: G, discriminator: D }, state: state() });
      }
    }
  } finally {
    fixedLatent?.dispose();
  }
  return { generator: G, discriminator: D, history, stopReason, lastEpoch, state: state() };
}

function toLogs(values: number[]): Logs {
  return Object.fromEntries(LOG_KEYS.map((key, i) => [key, values[i]!]));
}
