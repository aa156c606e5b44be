/**
 * Training kernels for the TensorFlow.js wasm backend. tfjs-backend-wasm 4.22 runs every layer
 * forwards but lacks the gradient kernels of convolutions and embeddings, and its transposed
 * matmul, Conv2DBackpropInput and MaxPoolGrad are slow loops; these fill the gaps with compositions of its
 * fast (XNNPACK) kernels, or single passes on the wasm heap where no composition fits:
 *
 *   Conv2DBackpropFilter                a convolution of x with dy          (new)
 *   Conv2DBackpropInput                 a convolution of dy with the flipped filter (replaced)
 *   DepthwiseConv2dNativeBackpropInput  a depthwise convolution of dy        (new)
 *   DepthwiseConv2dNativeBackpropFilter one pass over dy                     (new)
 *   UnsortedSegmentSum                  one pass over x                      (new)
 *   MaxPoolGrad                         one pass over x                      (replaced)
 *   BatchMatMul, _FusedMatMul           explicit transpose, then XNNPACK     (wrapped)
 *   Identity                            shares the data instead of copying   (wrapped)
 *
 * Each is checked against the cpu backend in the *.test.ts files beside it.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-backprop-input';
import { sharingIdentity } from './identity';
import { withExplicitTranspose } from './mat-mul';
import { maxPoolGradConfig } from './max-pool-grad';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/** Marks our configs in tfjs's (process-wide) kernel registry, so registering twice is a no-op. */
const MARK = 'deepboardTrainingKernel';

function isOurs(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config as unknown as Record<string, unknown>)[MARK] === true;
}

function install(config: KernelConfig): void {
  const current = getKernel(config.kernelName, 'wasm');
  if (isOurs(current)) return;
  // A replaced kernel keeps the original's setupFunc: it binds the wasm function the original uses.
  const marked = { setupFunc: current?.setupFunc, ...config, [MARK]: true } as KernelConfig;
  if (current) unregisterKernel(config.kernelName, 'wasm');
  registerKernel(marked);
}

/** The kernel names this module provides for the wasm backend. */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'UnsortedSegmentSum',
  'MaxPoolGrad',
  'BatchMatMul',
  '_FusedMatMul',
  'Identity',
] as const;

/**
 * Registers the training kernels for the wasm backend; idempotent. Call it after importing
 * @tensorflow/tfjs-backend-wasm (which registers the kernels some of these wrap), before or
 * after the backend is initialised.
 */
export function registerWasmTrainingKernels(): void {
  const wrap = (name: string, wrapper: (original: KernelConfig) => KernelConfig) => {
    const original = getKernel(name, 'wasm');
    if (!original) throw new Error(`import @tensorflow/tfjs-backend-wasm before registering its training kernels (no ${name} kernel)`);
    if (!isOurs(original)) install(wrapper(original));
  };
  wrap('BatchMatMul', withExplicitTranspose);
  wrap('_FusedMatMul', withExplicitTranspose);
  wrap('Identity', sharingIdentity);
  install(maxPoolGradConfig);
  install(conv2DBackpropFilterConfig);
  install(conv2DBackpropInputConfig);
  install(depthwiseConv2dNativeBackpropInputConfig);
  install(depthwiseConv2dNativeBackpropFilterConfig);
  install(unsortedSegmentSumConfig);
}
