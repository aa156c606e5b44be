import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, loadWasm, outShapeOf, randomConvCase, randomTensor, relativeError, runKernelOn, spreadFilter, tapsOf, type ConvCase } from './kernel-test-helpers';

beforeAll(loadWasm);

const label = (c: ConvCase, m: number) =>
  `x ${c.inShape} filter ${c.filterHeight}×${c.filterWidth} multiplier ${m} strides ${c.strides} dilations ${c.dilations} pad ${JSON.stringify(c.pad)} ${c.dimRoundingMode ?? ''}`;

// The cpu backend's depthwise gradient kernels size their output for the dilation but read the
// filter undilated, so dilated cases are checked against them on the filter written out with
// zeros between its taps (dilation 1), which is the same convolution.

describe('depthwise convolution gradients on wasm', () => {
  it('DepthwiseConv2dNativeBackpropFilter matches the cpu backend (random shapes, strides, dilations, paddings, multipliers)', async () => {
    const rng = createRng(301);
    for (let i = 0; i < 40; i++) {
      const channels = 1 + rng.int(5);
      const m = 1 + rng.int(3);
      const c = randomConvCase(rng, channels, true);
      const [dh, dw] = c.dilations;
      const x = randomTensor(rng, c.inShape);
      const dy = randomTensor(rng, outShapeOf(c, channels * m, true));
      const filterShape = [c.filterHeight, c.filterWidth, channels, m];
      const common = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode };
      const spreadShape = [(c.filterHeight - 1) * dh + 1, (c.filterWidth - 1) * dw + 1, channels, m];
      const reference = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...common, dilations: 1, filterShape: spreadShape });
      const actual = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...common, dilations: c.dilations, filterShape });
      expect(actual.shape, label(c, m)).toEqual(filterShape);
      expect(relativeError(actual.values, tapsOf(reference, c.filterHeight, c.filterWidth, dh, dw)), label(c, m)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('DepthwiseConv2dNativeBackpropInput matches the cpu backend (random shapes, strides, dilations, paddings, multipliers)', async () => {
    const rng = createRng(302);
    for (let i = 0; i < 40; i++) {
      const channels = 1 + rng.int(5);
      const m = 1 + rng.int(3);
      const c = randomConvCase(rng, channels, true);
      const dy = randomTensor(rng, outShapeOf(c, channels * m, true));
      const filter = randomTensor(rng, [c.filterHeight, c.filterWidth, channels, m]);
      const common = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode, inputShape: c.inShape };
      const reference = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy, filter: spreadFilter(filter, ...c.dilations) }, { ...common, dilations: 1 });
      const actual = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...common, dilations: c.dilations });
      expect(actual.shape, label(c, m)).toEqual(c.inShape);
      expect(relativeError(actual.values, reference.values), label(c, m)).toBeLessThanOrEqual(1e-4);
    }
  });
});
