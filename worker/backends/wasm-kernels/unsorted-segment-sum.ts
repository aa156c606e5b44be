/**
 * UnsortedSegmentSum for wasm (missing in tfjs-backend-wasm 4.22): the gradient of gather, so
 * of every embedding layer. out[s, …] = Σ_{i: ids[i] = s} x[i, …]; ids outside
 * [0, numSegments) contribute nothing (as on the cpu backend).
 *
 * One pass over x in JavaScript on the wasm heap: O(size of x + size of out). (The cpu backend
 * builds one mask per segment, O(numSegments × size of x), which is what makes embedding
 * training slow there.)
 */
import { UnsortedSegmentSum, util, type KernelConfig, type KernelFunc, type TensorInfo, type UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import type { KernelArgs } from './kernel-utils';

export function unsortedSegmentSum({ inputs, attrs, backend }: KernelArgs<UnsortedSegmentSumAttrs>): TensorInfo {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs;
  const idRank = segmentIds.shape.length;
  const rows = util.sizeFromShape(segmentIds.shape);
  const inner = util.sizeFromShape(x.shape.slice(idRank));
  const out = backend.makeOutput([numSegments, ...x.shape.slice(idRank)], x.dtype);
  const outs = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  outs.fill(0);
  for (let i = 0; i < rows; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const from = i * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) outs[to + j]! += xs[from + j]!;
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
