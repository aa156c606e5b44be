/**
 * Starting architectures, each fitted to a dataset's shape: the input layer takes the dataset's
 * example shape and the output head follows its task (binary → 1 sigmoid unit, multiclass →
 * one softmax unit per class, regression → 1 linear unit).
 */
import { InvalidInputError } from '../errors';
import { z } from 'zod';
import { ZArchitectureSpec, type ArchitectureKind, type ArchitectureSpec, type LayerInput } from './spec';

/**
 * What a template needs to know about a dataset. `inputShape` is one example's shape without
 * the batch axis: [features], [steps, features], [height, width] or [height, width, channels];
 * for token sequences it is [sequenceLength] and `vocabSize` is set. For a reinforcement-
 * learning environment, `inputShape` is the observation and `numClasses` the number of actions.
 */
export const ZDatasetShape = z
  .strictObject({
    inputShape: z.array(z.int().min(1).max(1_000_000)).min(1).max(3),
    task: z.enum(['binary', 'multiclass', 'regression']),
    numClasses: z.int().min(2).max(100_000).optional(),
    vocabSize: z.int().min(2).max(10_000_000).optional(),
  })
  .refine((d) => d.task !== 'multiclass' || d.numClasses !== undefined, {
    message: 'a multiclass dataset needs numClasses',
    path: ['numClasses'],
  });
export type DatasetShape = z.infer<typeof ZDatasetShape>;

export const TEMPLATE_IDS = [
  'mlp-classifier',
  'mlp-regressor',
  'cnn-classifier',
  'lstm-classifier',
  'text-classifier',
  'autoencoder',
  'conv-autoencoder',
  'dcgan',
  'mlp-gan',
  'policy-network',
] as const;
export const ZTemplateId = z.enum(TEMPLATE_IDS);
export type TemplateId = z.infer<typeof ZTemplateId>;

export type TemplateFamily = 'mlp' | 'cnn' | 'rnn' | 'autoencoder' | 'gan' | 'reinforcement';

export interface ArchitectureTemplate {
  id: TemplateId;
  title: string;
  description: string;
  family: TemplateFamily;
  kind: ArchitectureKind;
  /** Why the template cannot fit the dataset, or null when it can. */
  misfit: (dataset: DatasetShape) => string | null;
  /** The spec for the dataset; throws TemplateMismatchError when misfit() gives a reason. */
  build: (dataset: DatasetShape) => ArchitectureSpec;
}

export class TemplateMismatchError extends InvalidInputError {
  constructor(
    readonly templateId: TemplateId,
    reason: string,
  ) {
    super(`template '${templateId}' does not fit this dataset: ${reason}`);
    this.name = 'TemplateMismatchError';
  }
}

function head(dataset: DatasetShape): LayerInput {
  switch (dataset.task) {
    case 'binary':
      return { type: 'dense', name: 'output', units: 1, activation: 'sigmoid' };
    case 'multiclass':
      return { type: 'dense', name: 'output', units: dataset.numClasses!, activation: 'softmax' };
    case 'regression':
      return { type: 'dense', name: 'output', units: 1, activation: 'linear' };
  }
}

function input(shape: number[], dtype: 'float32' | 'int32' = 'float32'): LayerInput {
  return { type: 'input', name: 'input', shape, dtype };
}

/** Flattens multi-dimensional examples so dense layers see one feature vector. */
function flat(shape: number[]): LayerInput[] {
  return shape.length > 1 ? [{ type: 'flatten' }] : [];
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const leaky = (alpha = 0.2): LayerInput => ({ type: 'activation', activation: 'leakyRelu', alpha });

function notText(d: DatasetShape): string | null {
  return d.vocabSize !== undefined ? 'the inputs are token ids; use the text classifier' : null;
}

function needsClassification(d: DatasetShape): string | null {
  return d.task === 'regression' ? 'the task is regression; use the MLP regressor' : null;
}

function imageMisfit(d: DatasetShape, multiple: number): string | null {
  const s = d.inputShape;
  if (d.vocabSize !== undefined || (s.length !== 2 && s.length !== 3)) {
    return `needs image examples [height, width] or [height, width, channels], not [${s.join(', ')}]`;
  }
  if (s[0]! % multiple !== 0 || s[1]! % multiple !== 0) {
    return `needs height and width divisible by ${multiple}, not ${s[0]} × ${s[1]}`;
  }
  return null;
}

/** An image shape as [h, w, c]; grayscale [h, w] examples get a channel axis. */
function image(shape: number[]): [number, number, number] {
  return [shape[0]!, shape[1]!, shape[2] ?? 1];
}

function toImage(shape: number[]): LayerInput[] {
  return shape.length === 2 ? [{ type: 'reshape', targetShape: image(shape) }] : [];
}

function fromImage(shape: number[]): LayerInput[] {
  return shape.length === 2 ? [{ type: 'reshape', targetShape: shape }] : [];
}

function spec(input: unknown): ArchitectureSpec {
  return ZArchitectureSpec.parse(input);
}

const templates: ArchitectureTemplate[] = [
  {
    id: 'mlp-classifier',
    title: 'MLP classifier',
    description: 'Two dense ReLU layers with dropout: a strong baseline for tabular classification.',
    family: 'mlp',
    kind: 'sequential',
    misfit: (d) => needsClassification(d) ?? notText(d),
    build: (d) =>
      spec({
        kind: 'sequential',
        layers: [
          input(d.inputShape),
          ...flat(d.inputShape),
          { type: 'dense', units: 128, activation: 'relu' },
          { type: 'dropout', rate: 0.2 },
          { type: 'dense', units: 64, activation: 'relu' },
          head(d),
        ],
      }),
  },
  {
    id: 'mlp-regressor',
    title: 'MLP regressor',
    description: 'Two dense ReLU layers and one linear output: a baseline for tabular regression.',
    family: 'mlp',
    kind: 'sequential',
    misfit: (d) => (d.task !== 'regression' ? 'the task is classification; use the MLP classifier' : notText(d)),
    build: (d) =>
      spec({
        kind: 'sequential',
        layers: [input(d.inputShape), ...flat(d.inputShape), { type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', units: 64, activation: 'relu' }, head(d)],
      }),
  },
  {
    id: 'cnn-classifier',
    title: 'CNN image classifier',
    description: 'Two conv + max-pool blocks (32 and 64 filters), then a dense layer with dropout.',
    family: 'cnn',
    kind: 'sequential',
    misfit: (d) => imageMisfit(d, 4),
    build: (d) =>
      spec({
        kind: 'sequential',
        layers: [
          input(d.inputShape),
          ...toImage(d.inputShape),
          { type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
          { type: 'maxPooling2d', poolSize: 2 },
          { type: 'conv2d', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' },
          { type: 'maxPooling2d', poolSize: 2 },
          { type: 'flatten' },
          { type: 'dense', units: 128, activation: 'relu' },
          { type: 'dropout', rate: 0.5 },
          head(d),
        ],
      }),
  },
  {
    id: 'lstm-classifier',
    title: 'LSTM sequence classifier',
    description: 'Two stacked LSTM layers over [steps, features] sequences, then the output head.',
    family: 'rnn',
    kind: 'sequential',
    misfit: (d) => notText(d) ?? (d.inputShape.length > 2 ? `needs sequences [steps] or [steps, features], not [${d.inputShape.join(', ')}]` : null),
    build: (d) =>
      spec({
        kind: 'sequential',
        layers: [
          input(d.inputShape),
          // A univariate series [steps] becomes [steps, 1].
          ...(d.inputShape.length === 1 ? [{ type: 'reshape', targetShape: [d.inputShape[0]!, 1] }] : []),
          { type: 'lstm', units: 64, returnSequences: true },
          { type: 'lstm', units: 32 },
          { type: 'dropout', rate: 0.2 },
          head(d),
        ],
      }),
  },
  {
    id: 'text-classifier',
    title: 'Text classifier',
    description: 'Token embedding (id 0 is padding) feeding a GRU, then the output head.',
    family: 'rnn',
    kind: 'sequential',
    misfit: (d) =>
      d.vocabSize === undefined ? 'needs token-id inputs (set vocabSize)' : d.inputShape.length !== 1 ? `needs token sequences [sequenceLength], not [${d.inputShape.join(', ')}]` : null,
    build: (d) =>
      spec({
        kind: 'sequential',
        layers: [input(d.inputShape, 'int32'), { type: 'embedding', inputDim: d.vocabSize!, outputDim: 64, maskZero: true }, { type: 'gru', units: 64 }, { type: 'dropout', rate: 0.3 }, head(d)],
      }),
  },
  {
    id: 'autoencoder',
    title: 'Autoencoder',
    description: 'Dense encoder to a small code and a mirrored decoder with sigmoid outputs (inputs scaled to [0, 1]).',
    family: 'autoencoder',
    kind: 'autoencoder',
    misfit: (d) => notText(d),
    build: (d) => {
      const n = size(d.inputShape);
      const hidden = Math.min(128, Math.max(4, Math.floor(n / 2)));
      const code = Math.min(32, Math.max(2, Math.floor(hidden / 4)));
      return spec({
        kind: 'autoencoder',
        encoder: [input(d.inputShape), ...flat(d.inputShape), { type: 'dense', units: hidden, activation: 'relu' }, { type: 'dense', name: 'code', units: code, activation: 'relu' }],
        decoder: [
          { type: 'dense', units: hidden, activation: 'relu' },
          { type: 'dense', units: n, activation: 'sigmoid' },
          ...(d.inputShape.length > 1 ? [{ type: 'reshape', targetShape: d.inputShape }] : []),
        ],
      });
    },
  },
  {
    id: 'conv-autoencoder',
    title: 'Convolutional autoencoder',
    description: 'Strided convolutions down to a quarter-size feature map, transposed convolutions back up.',
    family: 'autoencoder',
    kind: 'autoencoder',
    misfit: (d) => imageMisfit(d, 4),
    build: (d) => {
      const [, , channels] = image(d.inputShape);
      return spec({
        kind: 'autoencoder',
        encoder: [
          input(d.inputShape),
          ...toImage(d.inputShape),
          { type: 'conv2d', filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
          { type: 'conv2d', name: 'code', filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
        ],
        decoder: [
          { type: 'conv2dTranspose', filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
          { type: 'conv2dTranspose', filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
          { type: 'conv2d', filters: channels, kernelSize: 3, padding: 'same', activation: 'sigmoid' },
          ...fromImage(d.inputShape),
        ],
      });
    },
  },
  {
    id: 'dcgan',
    title: 'DCGAN',
    description: 'Small deep-convolutional GAN: transposed-conv generator (tanh, images in [-1, 1]) and strided-conv discriminator.',
    family: 'gan',
    kind: 'gan',
    misfit: (d) => imageMisfit(d, 4),
    build: (d) => {
      const [h, w, channels] = image(d.inputShape);
      return spec({
        kind: 'gan',
        latentDim: 100,
        generator: [
          { type: 'dense', units: (h / 4) * (w / 4) * 128, useBias: false },
          { type: 'batchNormalization' },
          leaky(),
          { type: 'reshape', targetShape: [h / 4, w / 4, 128] },
          { type: 'conv2dTranspose', filters: 64, kernelSize: 5, strides: 2, padding: 'same', useBias: false },
          { type: 'batchNormalization' },
          leaky(),
          { type: 'conv2dTranspose', filters: channels, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' },
          ...fromImage(d.inputShape),
        ],
        discriminator: [
          ...toImage(d.inputShape),
          { type: 'conv2d', filters: 64, kernelSize: 5, strides: 2, padding: 'same' },
          leaky(),
          { type: 'dropout', rate: 0.3 },
          { type: 'conv2d', filters: 128, kernelSize: 5, strides: 2, padding: 'same' },
          leaky(),
          { type: 'dropout', rate: 0.3 },
          { type: 'flatten' },
          { type: 'dense', units: 1, activation: 'sigmoid' },
        ],
      });
    },
  },
  {
    id: 'mlp-gan',
    title: 'Dense GAN',
    description: 'GAN with dense generator and discriminator, for small tabular or flattened data (tanh outputs in [-1, 1]).',
    family: 'gan',
    kind: 'gan',
    misfit: (d) => notText(d),
    build: (d) => {
      const n = size(d.inputShape);
      return spec({
        kind: 'gan',
        latentDim: 32,
        generator: [
          { type: 'dense', units: 128 },
          leaky(),
          { type: 'dense', units: 256 },
          leaky(),
          { type: 'dense', units: n, activation: 'tanh' },
          ...(d.inputShape.length > 1 ? [{ type: 'reshape', targetShape: d.inputShape }] : []),
        ],
        discriminator: [
          ...flat(d.inputShape),
          { type: 'dense', units: 256 },
          leaky(),
          { type: 'dropout', rate: 0.3 },
          { type: 'dense', units: 128 },
          leaky(),
          { type: 'dense', units: 1, activation: 'sigmoid' },
        ],
      });
    },
  },
  {
    id: 'policy-network',
    title: 'RL policy network',
    description: 'Actor-critic pair for an observation vector: a tanh MLP scoring each action (numClasses actions) and a value network.',
    family: 'reinforcement',
    kind: 'policy',
    misfit: (d) => notText(d),
    build: (d) =>
      spec({
        kind: 'policy',
        policy: [input(d.inputShape), ...flat(d.inputShape), { type: 'dense', units: 64, activation: 'tanh' }, { type: 'dense', units: 64, activation: 'tanh' }, head(d)],
        value: [...flat(d.inputShape), { type: 'dense', units: 64, activation: 'tanh' }, { type: 'dense', units: 64, activation: 'tanh' }, { type: 'dense', name: 'state_value', units: 1 }],
      }),
  },
];

/** Every template, with the dataset check wrapped around build(). */
export const ARCHITECTURE_TEMPLATES: readonly ArchitectureTemplate[] = templates.map((t) => ({
  ...t,
  build: (dataset: DatasetShape) => {
    const reason = t.misfit(dataset);
    if (reason !== null) throw new TemplateMismatchError(t.id, reason);
    return t.build(dataset);
  },
}));

export function getTemplate(id: TemplateId): ArchitectureTemplate {
  return ARCHITECTURE_TEMPLATES.find((t) => t.id === id)!;
}

/** The templates that fit a dataset, in registry order. */
export function templatesFor(dataset: DatasetShape): ArchitectureTemplate[] {
  return ARCHITECTURE_TEMPLATES.filter((t) => t.misfit(dataset) === null);
}
