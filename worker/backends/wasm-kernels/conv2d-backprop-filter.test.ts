import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithCpu, createRng, loadWasm, outShapeOf, randomConvCase, randomTensor, relativeError, runKernelOn, tapsOf, type ConvCase } from './kernel-test-helpers';

beforeAll(loadWasm);

const label = (c: ConvCase, ci: number, co: number) =>
  `x ${c.inShape} filter ${c.filterHeight}×${c.filterWidth}×${ci}×${co} strides ${c.strides} dilations ${c.dilations} pad ${JSON.stringify(c.pad)} ${c.dimRoundingMode ?? ''}`;

describe('Conv2DBackpropFilter on wasm', () => {
  it('matches the cpu backend on random shapes, strides and paddings (NHWC)', async () => {
    const rng = createRng(101);
    for (let i = 0; i < 40; i++) {
      const ci = 1 + rng.int(5);
      const co = 1 + rng.int(5);
      const c = randomConvCase(rng, ci, false);
      const x = randomTensor(rng, c.inShape);
      const dy = randomTensor(rng, outShapeOf(c, co));
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, filterShape: [c.filterHeight, c.filterWidth, ci, co] };
      const { error, shape } = await compareWithCpu('Conv2DBackpropFilter', { x, dy }, attrs);
      expect(shape, label(c, ci, co)).toEqual([c.filterHeight, c.filterWidth, ci, co]);
      expect(error, label(c, ci, co)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('matches the cpu backend for NCHW data', async () => {
    const rng = createRng(102);
    for (let i = 0; i < 8; i++) {
      const ci = 1 + rng.int(4);
      const co = 1 + rng.int(4);
      const random = randomConvCase(rng, ci, false);
      // Explicit padding would be given per NCHW axis; the other kinds read the same.
      const c = { ...random, pad: Array.isArray(random.pad) ? 'same' : random.pad };
      const [b, h, w] = c.inShape;
      const [, oh, ow] = outShapeOf(c, co);
      const x = randomTensor(rng, [b, ci, h, w]);
      const dy = randomTensor(rng, [b, co, oh, ow]);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NCHW', dimRoundingMode: c.dimRoundingMode, filterShape: [c.filterHeight, c.filterWidth, ci, co] };
      const { error } = await compareWithCpu('Conv2DBackpropFilter', { x, dy }, attrs);
      expect(error, label(c, ci, co)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('handles dilations: matches the cpu gradient of the equivalent zero-spread filter', async () => {
    // The cpu kernel ignores dilations: the reference is its gradient for the filter written
    // out with zeros between its taps, read back at the taps.
    const rng = createRng(103);
    let dilatedCases = 0;
    while (dilatedCases < 15) {
      const ci = 1 + rng.int(4);
      const co = 1 + rng.int(4);
      const c = randomConvCase(rng, ci, true);
      if (c.dilations[0] === 1 && c.dilations[1] === 1) continue;
      dilatedCases++;
      const [dh, dw] = c.dilations;
      const x = randomTensor(rng, c.inShape);
      const dy = randomTensor(rng, outShapeOf(c, co));
      const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode };
      const spreadShape = [(c.filterHeight - 1) * dh + 1, (c.filterWidth - 1) * dw + 1, ci, co];
      const spread = await runKernelOn('cpu', 'Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: spreadShape });
      const expected = tapsOf(spread, c.filterHeight, c.filterWidth, dh, dw);
      const actual = await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, { ...common, dilations: c.dilations, filterShape: [c.filterHeight, c.filterWidth, ci, co] });
      expect(relativeError(actual.values, expected), label(c, ci, co)).toBeLessThanOrEqual(1e-4);
    }
  });
});
