/**
 * Autoencoder trainer: encoder and decoder trained together to rebuild their input.
 *
 * The parts stay separate models (checkpoints and the UI name them), trained as one function
 * x → decoder(encoder(x)) over both parts' variables. One optimizer serves both; it is compiled
 * into the encoder, so the encoder's checkpoint carries the optimizer state of the whole
 * autoencoder (the decoder's has none).
 */
import * as tf from '@tensorflow/tfjs';
import { RunConfigError, type ResolvedRunConfig } from '@/lib/schemas/runs';
import { compileForTraining } from './compile';
import { fitLoop, type FitResult } from './fit-loop';
import { TrainingDataError, withDefaults, type TrainerHooks, type TrainerState } from './hooks';
import { exampleLosses, TFJS_LOSS_NAMES } from './losses';
import { imageShape, pixelRange, toImages } from './samples';

export interface AutoencoderData {
  /** [n, ...input shape]; for image data, values in [0, 1] suit the sigmoid decoder templates. */
  x: tf.Tensor;
  validation?: { x: tf.Tensor };
}

export interface AutoencoderInput {
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  data: AutoencoderData;
  config: ResolvedRunConfig;
  hooks?: Partial<TrainerHooks>;
  initialEpoch?: number;
  initialState?: TrainerState;
}

export interface AutoencoderResult extends FitResult {
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
}

export async function trainAutoencoder(input: AutoencoderInput): Promise<AutoencoderResult> {
  const { encoder, decoder, data, config } = input;
  const hooks = withDefaults(input.hooks);
  const loss = config.loss;
  if (!loss) throw new RunConfigError('autoencoder training needs a resolved loss (see resolveRunConfig)');
  const inShape = encoder.inputs[0]!.shape.slice(1);
  const outShape = decoder.outputs[0]!.shape.slice(1);
  if (JSON.stringify(inShape) !== JSON.stringify(outShape)) {
    throw new TrainingDataError(`the decoder outputs [${outShape.join(', ')}] but must rebuild the input's [${inShape.join(', ')}]`);
  }
  if (loss === 'binaryCrossentropy') {
    const range = pixelRange(data.x);
    if (range[0] < 0 || range[1] > 1) {
      throw new TrainingDataError(`binary crossentropy needs inputs in [0, 1]; these range over [${range[0]}, ${range[1]}]: scale them or use meanSquaredError`);
    }
  }

  const optimizer = compileForTraining(encoder, config, TFJS_LOSS_NAMES[loss], hooks.log, (a, b) => exampleLosses(loss, a, b).mean());
  const forward = (x: tf.Tensor, training: boolean) => decoder.apply(encoder.apply(x, { training }), { training }) as tf.Tensor;

  const image = imageShape(inShape);
  const sampleSource = data.validation?.x ?? data.x;
  const sampleCount = Math.min(config.autoencoder.sampleCount, sampleSource.shape[0]!);
  const range = image && sampleCount > 0 ? pixelRange(sampleSource) : null;
  const afterEpoch = async (epoch: number) => {
    if (!image || !range) return;
    const x = sampleSource.slice(0, sampleCount);
    const reconstructed = tf.tidy(() => forward(x, false));
    const inputs = toImages(x, image, range);
    const outputs = toImages(reconstructed, image, range);
    tf.dispose([x, reconstructed]);
    await hooks.onSamples({ epoch, kind: 'reconstructions', samples: inputs.map((input, i) => ({ input, output: outputs[i]! })) });
  };

  const result = await fitLoop({
    models: { encoder, decoder },
    forward,
    optimizer,
    loss,
    metrics: config.metrics,
    encoding: 'none',
    x: data.x,
    y: data.x,
    weights: null,
    validation: data.validation ? { x: data.validation.x, y: data.validation.x } : undefined,
    config,
    hooks,
    initialEpoch: input.initialEpoch,
    initialState: input.initialState,
    afterEpoch,
  });
  return { ...result, encoder, decoder };
}
