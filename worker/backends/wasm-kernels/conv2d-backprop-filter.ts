/**
 * Conv2DBackpropFilter for wasm (tfjs-backend-wasm 4.22 has none): the filter gradient of a
 * convolution is itself a convolution, run by the wasm backend's XNNPACK Conv2D.
 *
 * dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh + kh·dh − top, ow·sw + kw·dw − left, ci] · dy[b, oh, ow, co]
 *
 * With x seen as [ci, h, w, b] (batch ci, channels b) and dy as a filter [oh, ow, b, co], that
 * sum is a convolution whose dilation is the original stride and whose stride is the original
 * dilation; its [ci, kh, kw, co] output is the gradient up to a transpose.
 */
import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { composite, type KernelArgs } from './kernel-utils';

export function conv2DBackpropFilter({ inputs, attrs, backend }: KernelArgs<Conv2DBackpropFilterAttrs & { dilations?: [number, number] | number }>): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations = 1 } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, false, format);
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;

  return composite(backend, (scope) => {
    const channelsFirst = format === 'channelsFirst';
    const xt = scope.transpose(x, channelsFirst ? [1, 2, 3, 0] : [3, 1, 2, 0]); // [ci, h, w, b]
    const dyt = scope.transpose(dy, channelsFirst ? [2, 3, 0, 1] : [1, 2, 0, 3]); // [oh, ow, b, co]
    // Pad the far side exactly as far as the last window reaches (never negative: extra rows
    // only add outputs past the filter, sliced off below).
    const bottom = Math.max(0, strideHeight * (outHeight - 1) + dilationHeight * (filterHeight - 1) + 1 - inHeight - padInfo.top);
    const right = Math.max(0, strideWidth * (outWidth - 1) + dilationWidth * (filterWidth - 1) + 1 - inWidth - padInfo.left);
    const grad = scope.run(
      'Conv2D',
      { x: xt, filter: dyt },
      {
        strides: [dilationHeight, dilationWidth],
        dilations: [strideHeight, strideWidth],
        pad: [
          [0, 0],
          [padInfo.top, bottom],
          [padInfo.left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    ); // [ci, ≥kh, ≥kw, co]
    const [ci, , , co] = grad.shape as [number, number, number, number];
    const exact = scope.slice(grad, [0, 0, 0, 0], [ci, filterHeight, filterWidth, co]);
    return scope.transpose(exact, [1, 2, 0, 3]);
  });
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
