/**
 * DepthwiseConv2dNativeBackpropFilter for wasm (missing in tfjs-backend-wasm 4.22): the filter
 * gradient of depthwiseConv2d.
 *
 * dF[kh, kw, c, m] = Σ_{b, oh, ow} x[b, oh·sh + kh·dh − top, ow·sw + kw·dw − left, c] · dy[b, oh, ow, c·M + m]
 *
 * Each input channel meets only its own M output channels, so no single wasm convolution or
 * matmul computes this without a factor-C waste. It is one pass over dy in JavaScript on the
 * wasm heap (no copies), the innermost loop running along contiguous channels; the work is
 * that of the forward depthwise convolution, small next to the dense convolutions around it.
 */
import { backend_util, DepthwiseConv2dNativeBackpropFilter, type DepthwiseConv2dNativeBackpropFilterAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { KernelArgs } from './kernel-utils';

export function depthwiseConv2dNativeBackpropFilter({ inputs, attrs, backend }: KernelArgs<DepthwiseConv2dNativeBackpropFilterAttrs>): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, true);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const multiplier = filterShape[3];
  const outChannels = channels * multiplier;

  // Accumulate in doubles, as the cpu backend does: a filter tap sums B·OH·OW products.
  const acc = new Float64Array(filterHeight * filterWidth * outChannels);
  const out = backend.makeOutput([...filterShape], 'float32');
  // Heap views are taken after the last allocation (an allocation may grow the heap).
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;

  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyOffset = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh * dilationHeight - padInfo.top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw * dilationWidth - padInfo.left;
            if (iw < 0 || iw >= inWidth) continue;
            const xOffset = ((b * inHeight + ih) * inWidth + iw) * channels;
            const fOffset = (kh * filterWidth + kw) * outChannels;
            if (multiplier === 1) {
              for (let c = 0; c < channels; c++) acc[fOffset + c]! += xs[xOffset + c]! * dys[dyOffset + c]!;
            } else {
              for (let c = 0; c < channels; c++) {
                const xv = xs[xOffset + c]!;
                const base = c * multiplier;
                for (let m = 0; m < multiplier; m++) acc[fOffset + base + m]! += xv * dys[dyOffset + base + m]!;
              }
            }
          }
        }
      }
    }
  }
  (backend.typedArrayFromHeap(out) as Float32Array).set(acc);
  return out;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
