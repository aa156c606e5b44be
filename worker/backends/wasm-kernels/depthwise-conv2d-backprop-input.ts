/**
 * DepthwiseConv2dNativeBackpropInput for wasm (missing in tfjs-backend-wasm 4.22): the input
 * gradient of depthwiseConv2d (and of separableConv2d's depthwise step).
 *
 * dx[b, h, w, c] = Σ_{kh, kw, m} dy[b, oh, ow, c·M + m] · f[kh, kw, c, m], h = oh·sh + kh·dh − top
 *
 * As for Conv2DBackpropInput: dy spread `stride` apart, correlated with the spatially flipped
 * filter by the wasm backend's (XNNPACK) depthwise convolution with multiplier 1 over the C·M
 * channels, then the M channels of each input channel summed.
 */
import { backend_util, DepthwiseConv2dNativeBackpropInput, type DepthwiseConv2dNativeBackpropInputAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { composite, cropNegative, nonNegative, spreadByStride, transposePadding, type KernelArgs } from './kernel-utils';

export function depthwiseConv2dNativeBackpropInput({ inputs, attrs, backend }: KernelArgs<DepthwiseConv2dNativeBackpropInputAttrs>): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const [filterHeight, filterWidth, channels, multiplier] = filter.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, true);
  const { batchSize, inHeight, inWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;

  return composite(backend, (scope) => {
    const spread = spreadByStride(scope, dy, strideHeight, strideWidth);
    const rows = transposePadding(inHeight, spread.shape[1]!, filterHeight, dilationHeight, padInfo.top);
    const cols = transposePadding(inWidth, spread.shape[2]!, filterWidth, dilationWidth, padInfo.left);
    const input = cropNegative(scope, spread, rows, cols);
    const flipped = scope.reshape(scope.run('Reverse', { x: filter }, { dims: [0, 1] }), [filterHeight, filterWidth, channels * multiplier, 1]);
    const perChannel = scope.run(
      'DepthwiseConv2dNative',
      { x: input, filter: flipped },
      { strides: 1, dilations: [dilationHeight, dilationWidth], pad: [[0, 0], nonNegative(rows), nonNegative(cols), [0, 0]] },
    ); // [b, h, w, c·m]
    if (multiplier === 1) return perChannel;
    const split = scope.reshape(perChannel, [batchSize, inHeight, inWidth, channels, multiplier]);
    return scope.run('Sum', { x: split }, { axis: 4, keepDims: false });
  });
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
