import type { LayerType } from '@/lib/arch/spec';

/** What the "add layer" menu offers: groups, and a sensible starting value for each type. */
export const LAYER_GROUPS: Array<{ title: string; types: LayerType[] }> = [
  { title: 'Core', types: ['dense', 'activation', 'dropout', 'flatten', 'reshape', 'embedding', 'input'] },
  { title: 'Convolution', types: ['conv2d', 'conv2dTranspose', 'separableConv2d', 'depthwiseConv2d', 'conv1d'] },
  {
    title: 'Pooling & resizing',
    types: [
      'maxPooling2d',
      'averagePooling2d',
      'globalAveragePooling2d',
      'globalMaxPooling2d',
      'maxPooling1d',
      'averagePooling1d',
      'globalAveragePooling1d',
      'globalMaxPooling1d',
      'upSampling2d',
      'zeroPadding2d',
      'cropping2d',
    ],
  },
  { title: 'Recurrent', types: ['lstm', 'gru', 'simpleRNN', 'bidirectional'] },
  { title: 'Normalization & noise', types: ['batchNormalization', 'layerNormalization', 'gaussianNoise', 'gaussianDropout', 'spatialDropout1d'] },
  { title: 'Other', types: ['prelu', 'permute', 'repeatVector'] },
];

export const LAYER_DEFAULTS: Record<LayerType, Record<string, unknown>> = {
  input: { type: 'input', shape: [10] },
  dense: { type: 'dense', units: 32, activation: 'relu' },
  conv1d: { type: 'conv1d', filters: 16, kernelSize: 3, activation: 'relu' },
  conv2d: { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu', padding: 'same' },
  conv2dTranspose: { type: 'conv2dTranspose', filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
  separableConv2d: { type: 'separableConv2d', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
  depthwiseConv2d: { type: 'depthwiseConv2d', kernelSize: 3, padding: 'same' },
  maxPooling1d: { type: 'maxPooling1d', poolSize: 2 },
  averagePooling1d: { type: 'averagePooling1d', poolSize: 2 },
  maxPooling2d: { type: 'maxPooling2d', poolSize: 2 },
  averagePooling2d: { type: 'averagePooling2d', poolSize: 2 },
  globalAveragePooling1d: { type: 'globalAveragePooling1d' },
  globalMaxPooling1d: { type: 'globalMaxPooling1d' },
  globalAveragePooling2d: { type: 'globalAveragePooling2d' },
  globalMaxPooling2d: { type: 'globalMaxPooling2d' },
  upSampling2d: { type: 'upSampling2d', size: 2 },
  zeroPadding2d: { type: 'zeroPadding2d', padding: 1 },
  cropping2d: { type: 'cropping2d', cropping: 1 },
  flatten: { type: 'flatten' },
  reshape: { type: 'reshape', targetShape: [-1] },
  permute: { type: 'permute', dims: [2, 1] },
  repeatVector: { type: 'repeatVector', n: 4 },
  dropout: { type: 'dropout', rate: 0.2 },
  spatialDropout1d: { type: 'spatialDropout1d', rate: 0.2 },
  gaussianNoise: { type: 'gaussianNoise', stddev: 0.1 },
  gaussianDropout: { type: 'gaussianDropout', rate: 0.1 },
  batchNormalization: { type: 'batchNormalization' },
  layerNormalization: { type: 'layerNormalization' },
  embedding: { type: 'embedding', inputDim: 1000, outputDim: 32 },
  simpleRNN: { type: 'simpleRNN', units: 32 },
  lstm: { type: 'lstm', units: 32 },
  gru: { type: 'gru', units: 32 },
  bidirectional: { type: 'bidirectional', layer: { type: 'lstm', units: 32 } },
  activation: { type: 'activation', activation: 'relu' },
  prelu: { type: 'prelu' },
};

/** Category colours for the table and the diagram. */
export function layerCategory(type: LayerType): 'input' | 'dense' | 'conv' | 'pool' | 'recurrent' | 'norm' | 'shape' {
  if (type === 'input') return 'input';
  if (type === 'dense' || type === 'embedding' || type === 'activation' || type === 'prelu') return 'dense';
  if (/conv/i.test(type)) return 'conv';
  if (/pool|upSampling|padding|cropping/i.test(type)) return 'pool';
  if (['lstm', 'gru', 'simpleRNN', 'bidirectional'].includes(type)) return 'recurrent';
  if (/normalization|dropout|noise/i.test(type)) return 'norm';
  return 'shape';
}

export const CATEGORY_STYLE: Record<ReturnType<typeof layerCategory>, { fill: string; stroke: string; badge: string }> = {
  input: { fill: '#f1f5f9', stroke: '#94a3b8', badge: 'bg-slate-100 text-slate-700' },
  dense: { fill: '#ede9fe', stroke: '#8b5cf6', badge: 'bg-violet-100 text-violet-800' },
  conv: { fill: '#dbeafe', stroke: '#3b82f6', badge: 'bg-blue-100 text-blue-800' },
  pool: { fill: '#e0f2fe', stroke: '#0ea5e9', badge: 'bg-sky-100 text-sky-800' },
  recurrent: { fill: '#dcfce7', stroke: '#22c55e', badge: 'bg-green-100 text-green-800' },
  norm: { fill: '#fef3c7', stroke: '#f59e0b', badge: 'bg-amber-100 text-amber-800' },
  shape: { fill: '#f5f5f4', stroke: '#a8a29e', badge: 'bg-stone-100 text-stone-700' },
};
