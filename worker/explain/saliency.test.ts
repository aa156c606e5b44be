import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradientTimesInput, normaliseMap, occlusionMap, renderOverlay, saliencyMap } from './saliency';
import { randomRows } from './test-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const H = 8;
const W = 8;
/** The informative region: rows 2–3, columns 5–6. */
const inRegion = (p: number) => {
  const [y, x] = [Math.floor(p / W), p % W];
  return y >= 2 && y <= 3 && x >= 5 && x <= 6;
};

/** [8, 8, c] → flatten → tanh hidden → softmax(2), reading only the region's pixels. */
function regionModel(channels: number): tf.Sequential {
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [H, W, channels] }), tf.layers.dense({ units: 4, activation: 'tanh' }), tf.layers.dense({ units: 2, activation: 'softmax' })],
  });
  const kernel = Array.from({ length: H * W * channels }, (_, i) => {
    const pixel = Math.floor(i / channels);
    return [0, 1, 2, 3].map((u) => (inRegion(pixel) ? ((u % 2 === 0 ? 0.6 : -0.4) * (1 + (i % 3) * 0.2)) / channels : 0));
  });
  model.setWeights([
    tf.tensor2d(kernel),
    tf.zeros([4]),
    tf.tensor2d([
      [1, -1],
      [-0.5, 0.5],
      [0.8, -0.8],
      [0.2, 0.1],
    ]),
    tf.zeros([2]),
  ]);
  return model;
}

/** Image in (0, 1), bright in the region. */
function image(channels: number): Float32Array {
  const noise = randomRows(1, H * W * channels, 4);
  return Float32Array.from(noise, (v, i) => (inRegion(Math.floor(i / channels)) ? 0.9 : 0.3 + 0.05 * Math.tanh(v)));
}

function expectRegionMap(map: Float32Array): void {
  let best = 0;
  for (let p = 0; p < map.length; p++) if (map[p]! > map[best]!) best = p;
  expect(inRegion(best)).toBe(true);
  expect(map[best]).toBe(1);
  for (let p = 0; p < map.length; p++) {
    expect(map[p]).toBeGreaterThanOrEqual(0);
    expect(map[p]).toBeLessThanOrEqual(1);
  }
}

describe('pixel maps', () => {
  it('saliency and gradient × input light up only the informative region', () => {
    for (const channels of [1, 3]) {
      const model = regionModel(channels);
      for (const map of [saliencyMap(model, image(channels), [H, W, channels], 0), gradientTimesInput(model, image(channels), [H, W, channels], 1)]) {
        expect([map.height, map.width, map.map.length]).toEqual([H, W, H * W]);
        expectRegionMap(map.map);
        for (let p = 0; p < H * W; p++) if (!inRegion(p)) expect(map.map[p]).toBe(0);
      }
    }
  });

  it('occlusion drops the output only where a patch covers the region', () => {
    const model = regionModel(1);
    const img = image(1);
    const probs = model.predict(tf.tensor(img, [1, H, W, 1])) as tf.Tensor;
    const top = probs.argMax(-1).dataSync()[0]!;
    const map = occlusionMap(model, img, [H, W, 1], { patch: 2, stride: 1, output: top });
    expectRegionMap(map.map);
    // A pixel two away from the region is never under a patch that touches it.
    for (let p = 0; p < H * W; p++) {
      const [y, x] = [Math.floor(p / W), p % W];
      if (y >= 5 || x <= 3) expect(map.raw[p]).toBe(0);
    }
    expect(() => occlusionMap(model, img, [H, W, 1], { output: 2 })).toThrow(/2 output/);
  });

  it('normalises by the maximum, clipping negatives; an all-zero map stays zero', () => {
    expect(Array.from(normaliseMap([2, -1, 4, 0]))).toEqual([0.5, 0, 1, 0]);
    expect(Array.from(normaliseMap([0, 0]))).toEqual([0, 0]);
  });
});

describe('renderOverlay', () => {
  it('keeps the image where the map is 0 and blends the heat colour where it is 1', () => {
    const img = [0.5, 0.5, 0.2, 0.4, 0.6, 0.8];
    const gray = renderOverlay([0.5, 0.5], [1, 2, 1], [0, 1], { alpha: 1 });
    expect(Array.from(gray)).toEqual([128, 128, 128, 255, 255, 255, 255, 255]);
    const rgb = renderOverlay(img.slice(0, 6), [1, 2, 3], [0, 1 / 3], { alpha: 0.5 });
    expect(Array.from(rgb.subarray(0, 4))).toEqual([128, 128, 51, 255]);
    // m = 1/3: heat (1, 0, 0) at weight 0.5/3.
    const a = 0.5 / 3;
    expect(Array.from(rgb.subarray(4, 8))).toEqual([Math.round(255 * ((1 - a) * 0.4 + a)), Math.round(255 * (1 - a) * 0.6), Math.round(255 * (1 - a) * 0.8), 255]);
    expect(() => renderOverlay(img, [1, 2, 3], [0])).toThrow(/needs 2 values/);
  });
});
