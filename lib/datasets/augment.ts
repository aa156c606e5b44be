/**
 * Image augmentation: settings (stored with the dataset version) and pure, seeded functions the
 * worker applies per batch. Images are Float32Array [height, width, channels], row-major, in
 * whatever value range the worker uses (noise is added on that scale and nothing is clipped).
 *
 * Per image, with chance `probability` (else it passes through untouched): a horizontal and a
 * vertical flip each happen half the time (when enabled), then one resampling applies a
 * rotation by an angle uniform in ±rotationDegrees (counter-clockwise as displayed, about the
 * centre) and a shift uniform in ±shiftFraction of the width and height; pixels that come from
 * outside the image get `fillValue` (fill 'constant') or the nearest edge pixel (fill 'nearest');
 * Gaussian noise comes last. Every image draws the same random numbers in the same order
 * whatever is enabled, so turning one transform on does not reshuffle the others.
 */
import { z } from 'zod';
import { createRng, deriveSeed, type Rng } from '../random';
import { DatasetError } from './errors';

export const ZAugmentSettings = z.object({
  horizontalFlip: z.boolean().default(false),
  verticalFlip: z.boolean().default(false),
  rotationDegrees: z.number().min(0).max(180).default(0),
  shiftFraction: z.number().min(0).max(0.5).default(0),
  noiseStd: z.number().min(0).default(0),
  probability: z.number().min(0).max(1).default(1),
  interpolation: z.enum(['nearest', 'bilinear']).default('bilinear'),
  fill: z.enum(['constant', 'nearest']).default('constant'),
  fillValue: z.number().default(0),
});
export type AugmentSettings = z.infer<typeof ZAugmentSettings>;

/** [height, width, channels] */
export type ImageShape = readonly [number, number, number];

function checkShape(image: ArrayLike<number>, [h, w, c]: ImageShape): void {
  if (image.length !== h * w * c) throw new DatasetError(`an image of ${image.length} values is not ${h}×${w}×${c}`);
}

export function flipHorizontal(image: Float32Array, shape: ImageShape): Float32Array {
  checkShape(image, shape);
  const [h, w, c] = shape;
  const out = new Float32Array(image.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const from = (y * w + (w - 1 - x)) * c;
      const to = (y * w + x) * c;
      for (let k = 0; k < c; k++) out[to + k] = image[from + k]!;
    }
  }
  return out;
}

export function flipVertical(image: Float32Array, shape: ImageShape): Float32Array {
  checkShape(image, shape);
  const [h, w, c] = shape;
  const out = new Float32Array(image.length);
  const row = w * c;
  for (let y = 0; y < h; y++) out.set(image.subarray((h - 1 - y) * row, (h - y) * row), y * row);
  return out;
}

export interface AffineOptions {
  /** Counter-clockwise as displayed (y axis pointing down), about the image centre. */
  degrees: number;
  /** Shift in pixels (right, down). */
  shiftX: number;
  shiftY: number;
  interpolation?: AugmentSettings['interpolation'];
  fill?: AugmentSettings['fill'];
  fillValue?: number;
}

/** Rotation then shift, by inverse mapping: each output pixel samples its source position. */
export function affine(image: Float32Array, shape: ImageShape, options: AffineOptions): Float32Array {
  checkShape(image, shape);
  const [h, w, c] = shape;
  if (options.degrees === 0 && options.shiftX === 0 && options.shiftY === 0) return image.slice();
  const theta = (options.degrees * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const nearestFill = options.fill === 'nearest';
  const fillValue = options.fillValue ?? 0;
  const bilinear = (options.interpolation ?? 'bilinear') === 'bilinear';
  const out = new Float32Array(image.length);
  const sample = (x: number, y: number, k: number): number => {
    if (x < 0 || y < 0 || x >= w || y >= h) {
      if (!nearestFill) return fillValue;
      x = Math.min(w - 1, Math.max(0, x));
      y = Math.min(h - 1, Math.max(0, y));
    }
    return image[(y * w + x) * c + k]!;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x - cx - options.shiftX;
      const v = y - cy - options.shiftY;
      const sx = cx + u * cos - v * sin;
      const sy = cy + u * sin + v * cos;
      const to = (y * w + x) * c;
      if (!bilinear) {
        const nx = Math.round(sx);
        const ny = Math.round(sy);
        for (let k = 0; k < c; k++) out[to + k] = sample(nx, ny, k);
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let k = 0; k < c; k++) {
        const top = sample(x0, y0, k) * (1 - fx) + (fx > 0 ? sample(x0 + 1, y0, k) * fx : 0);
        const bottom = fy > 0 ? sample(x0, y0 + 1, k) * (1 - fx) + (fx > 0 ? sample(x0 + 1, y0 + 1, k) * fx : 0) : 0;
        out[to + k] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

export function addGaussianNoise(image: Float32Array, std: number, rng: Rng): Float32Array {
  const out = image.slice();
  if (std > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! + std * rng.normal();
  return out;
}

/** What augmentImage decided for one image (for previews and tests). */
export interface AugmentDraw {
  applied: boolean;
  horizontalFlip: boolean;
  verticalFlip: boolean;
  degrees: number;
  shiftX: number;
  shiftY: number;
}

/** Draws one image's transform parameters; always the same six draws, in the same order. */
export function drawAugmentation(settings: AugmentSettings, shape: ImageShape, rng: Rng): AugmentDraw {
  const [h, w] = shape;
  const gate = rng.next();
  const hCoin = rng.next();
  const vCoin = rng.next();
  const angle = rng.uniform(-1, 1);
  const dx = rng.uniform(-1, 1);
  const dy = rng.uniform(-1, 1);
  return {
    applied: gate < settings.probability,
    horizontalFlip: settings.horizontalFlip && hCoin < 0.5,
    verticalFlip: settings.verticalFlip && vCoin < 0.5,
    degrees: angle * settings.rotationDegrees,
    shiftX: dx * settings.shiftFraction * w,
    shiftY: dy * settings.shiftFraction * h,
  };
}

/** One augmented copy of `image`; `rng` may be a generator or a seed. The input is never modified. */
export function augmentImage(image: Float32Array, shape: ImageShape, settings: z.input<typeof ZAugmentSettings>, rng: Rng | number): Float32Array {
  const s = ZAugmentSettings.parse(settings);
  const random = typeof rng === 'number' ? createRng(rng) : rng;
  checkShape(image, shape);
  const draw = drawAugmentation(s, shape, random);
  if (!draw.applied) return image.slice();
  let out = image;
  if (draw.horizontalFlip) out = flipHorizontal(out, shape);
  if (draw.verticalFlip) out = flipVertical(out, shape);
  out = affine(out, shape, { degrees: draw.degrees, shiftX: draw.shiftX, shiftY: draw.shiftY, interpolation: s.interpolation, fill: s.fill, fillValue: s.fillValue });
  return addGaussianNoise(out, s.noiseStd, random);
}

/**
 * Augments a batch [count, h, w, c] into a new array. Image i of a batch uses the seed
 * deriveSeed(seed, i), so pass a per-batch seed (e.g. deriveSeed(runSeed, epoch, batch)) and
 * a resumed or parallel run sees the same images.
 */
export function augmentBatch(batch: Float32Array, shape: ImageShape, settings: z.input<typeof ZAugmentSettings>, seed: number): Float32Array {
  const s = ZAugmentSettings.parse(settings);
  const size = shape[0] * shape[1] * shape[2];
  if (batch.length % size !== 0) throw new DatasetError(`a batch of ${batch.length} values is not a whole number of ${shape.join('×')} images`);
  const out = new Float32Array(batch.length);
  for (let i = 0; i < batch.length / size; i++) {
    out.set(augmentImage(batch.subarray(i * size, (i + 1) * size), shape, s, createRng(deriveSeed(seed, i))), i * size);
  }
  return out;
}
