/**
 * Conv2DBackpropInput for wasm, replacing tfjs-backend-wasm's own (a plain loop, ~10× slower
 * than its XNNPACK Conv2D on a CNN's second layer). It is the input gradient of conv2d and the
 * forward pass of conv2dTranspose.
 *
 * The transpose of a convolution is a stride-1 correlation of dy, spread `stride` apart, with
 * the filter flipped in space and its channel axes swapped.
 */
import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { composite, cropNegative, nonNegative, spreadByStride, transposePadding, type KernelArgs } from './kernel-utils';

export function conv2DBackpropInput({ inputs, attrs, backend }: KernelArgs<Conv2DBackpropInputAttrs>): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, format);
  const { inHeight, inWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;

  return composite(backend, (scope) => {
    const channelsFirst = format === 'channelsFirst';
    const dyNhwc = channelsFirst ? scope.transpose(dy, [0, 2, 3, 1]) : dy;
    const spread = spreadByStride(scope, dyNhwc, strideHeight, strideWidth);
    const rows = transposePadding(inHeight, spread.shape[1]!, filterHeight, 1, padInfo.top);
    const cols = transposePadding(inWidth, spread.shape[2]!, filterWidth, 1, padInfo.left);
    const input = cropNegative(scope, spread, rows, cols);
    const flipped = scope.transpose(scope.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]); // [kh, kw, co, ci]
    const dx = scope.run('Conv2D', { x: input, filter: flipped }, { strides: 1, dilations: 1, pad: [[0, 0], nonNegative(rows), nonNegative(cols), [0, 0]], dataFormat: 'NHWC' });
    return channelsFirst ? scope.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
