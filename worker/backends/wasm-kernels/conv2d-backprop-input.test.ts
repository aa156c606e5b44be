import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithCpu, createRng, loadWasm, outShapeOf, randomConvCase, randomTensor, type ConvCase } from './kernel-test-helpers';

beforeAll(loadWasm);

const label = (c: ConvCase, ci: number, co: number) =>
  `input ${c.inShape} filter ${c.filterHeight}×${c.filterWidth}×${ci}×${co} strides ${c.strides} pad ${JSON.stringify(c.pad)} ${c.dimRoundingMode ?? ''}`;

describe('Conv2DBackpropInput on wasm (conv2d input gradient, conv2dTranspose)', () => {
  it('matches the cpu backend on random shapes, strides and paddings (NHWC)', async () => {
    const rng = createRng(201);
    for (let i = 0; i < 40; i++) {
      const ci = 1 + rng.int(5);
      const co = 1 + rng.int(5);
      const c = randomConvCase(rng, ci, false);
      const dy = randomTensor(rng, outShapeOf(c, co));
      const filter = randomTensor(rng, [c.filterHeight, c.filterWidth, ci, co]);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, inputShape: c.inShape };
      const { error, shape } = await compareWithCpu('Conv2DBackpropInput', { dy, filter }, attrs);
      expect(shape, label(c, ci, co)).toEqual(c.inShape);
      expect(error, label(c, ci, co)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('matches the cpu backend for NCHW data', async () => {
    const rng = createRng(202);
    for (let i = 0; i < 8; i++) {
      const ci = 1 + rng.int(4);
      const co = 1 + rng.int(4);
      const random = randomConvCase(rng, ci, false);
      const c = { ...random, pad: Array.isArray(random.pad) ? 'same' : random.pad };
      const [b, h, w] = c.inShape;
      const [, oh, ow] = outShapeOf(c, co);
      const dy = randomTensor(rng, [b, co, oh, ow]);
      const filter = randomTensor(rng, [c.filterHeight, c.filterWidth, ci, co]);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NCHW', dimRoundingMode: c.dimRoundingMode, inputShape: [b, ci, h, w] };
      const { error, shape } = await compareWithCpu('Conv2DBackpropInput', { dy, filter }, attrs);
      expect(shape, label(c, ci, co)).toEqual([b, ci, h, w]);
      expect(error, label(c, ci, co)).toBeLessThanOrEqual(1e-4);
    }
  });
});
