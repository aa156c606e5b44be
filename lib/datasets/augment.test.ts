import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { addGaussianNoise, affine, augmentBatch, augmentImage, flipHorizontal, flipVertical, type ImageShape } from './augment';

const shape: ImageShape = [4, 5, 2];
const image = Float32Array.from({ length: 40 }, (_, i) => i);

describe('augmentation primitives', () => {
  it('flips twice back to the identity', () => {
    expect(flipHorizontal(flipHorizontal(image, shape), shape)).toEqual(image);
    expect(flipVertical(flipVertical(image, shape), shape)).toEqual(image);
    expect(flipHorizontal(image, shape)).not.toEqual(image);
  });

  it('flips pixels, not channels', () => {
    const flipped = flipHorizontal(image, shape);
    // First pixel of row 0 becomes the last pixel (x = 4) of row 0, channel order kept.
    expect([flipped[0], flipped[1]]).toEqual([8, 9]);
    const v = flipVertical(image, shape);
    expect([v[0], v[1]]).toEqual([30, 31]);
  });

  it('rotates by 0 and shifts by 0 to the identity', () => {
    expect(affine(image, shape, { degrees: 0, shiftX: 0, shiftY: 0 })).toEqual(image);
  });

  it('rotates a square image by 90° counter-clockwise, and back', () => {
    const sq: ImageShape = [3, 3, 1];
    const img = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const ccw = affine(img, sq, { degrees: 90, shiftX: 0, shiftY: 0, interpolation: 'nearest' });
    expect([...ccw]).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    const back = affine(ccw, sq, { degrees: -90, shiftX: 0, shiftY: 0, interpolation: 'bilinear' });
    [...back].forEach((v, i) => expect(v).toBeCloseTo(img[i]!, 5));
  });

  it('shifts with constant or nearest fill', () => {
    const row: ImageShape = [1, 4, 1];
    const img = Float32Array.from([1, 2, 3, 4]);
    expect([...affine(img, row, { degrees: 0, shiftX: 1, shiftY: 0, fillValue: -1 })]).toEqual([-1, 1, 2, 3]);
    expect([...affine(img, row, { degrees: 0, shiftX: -2, shiftY: 0, fill: 'nearest' })]).toEqual([3, 4, 4, 4]);
    expect([...affine(img, row, { degrees: 0, shiftX: 0.5, shiftY: 0, fill: 'nearest' })]).toEqual([1, 1.5, 2.5, 3.5]);
  });

  it('adds seeded noise of the requested spread', () => {
    const flat = new Float32Array(20_000);
    const noisy = addGaussianNoise(flat, 0.5, createRng(1));
    const std = Math.sqrt(noisy.reduce((a, v) => a + v * v, 0) / noisy.length);
    expect(std).toBeCloseTo(0.5, 1);
    expect(addGaussianNoise(flat, 0.5, createRng(1))).toEqual(noisy);
  });
});

describe('augmentImage / augmentBatch', () => {
  const settings = { horizontalFlip: true, verticalFlip: true, rotationDegrees: 20, shiftFraction: 0.1, noiseStd: 0.01 };

  it('is deterministic for a seed, differs across seeds and never modifies its input', () => {
    const copy = image.slice();
    const a = augmentImage(image, shape, settings, 7);
    expect(augmentImage(image, shape, settings, 7)).toEqual(a);
    expect(augmentImage(image, shape, settings, 8)).not.toEqual(a);
    expect(image).toEqual(copy);
  });

  it('passes images through untouched with probability 0 or no transforms enabled', () => {
    expect(augmentImage(image, shape, { ...settings, probability: 0 }, 1)).toEqual(image);
    expect(augmentImage(image, shape, {}, 1)).toEqual(image);
  });

  it('flips about half the images when only flipping is enabled', () => {
    let flipped = 0;
    for (let seed = 0; seed < 400; seed++) {
      const out = augmentImage(image, shape, { horizontalFlip: true }, seed);
      if (out[0] !== image[0]) flipped++;
      else expect(out).toEqual(image);
    }
    expect(flipped).toBeGreaterThan(160);
    expect(flipped).toBeLessThan(240);
  });

  it('augments a batch image by image with derived seeds', () => {
    const batch = new Float32Array(3 * 40);
    batch.set(image, 0);
    batch.set(image, 40);
    batch.set(image, 80);
    const out = augmentBatch(batch, shape, settings, 11);
    expect(augmentBatch(batch, shape, settings, 11)).toEqual(out);
    expect(out.subarray(0, 40)).not.toEqual(out.subarray(40, 80));
    expect(() => augmentBatch(new Float32Array(41), shape, settings, 1)).toThrow('not a whole number of 4×5×2 images');
  });
});
