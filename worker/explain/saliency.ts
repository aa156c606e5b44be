/**
 * Pixel maps for image models (inputs [h, w, c], values as the model saw them, usually [0, 1]):
 *   - saliency (Simonyan et al. 2014): max over channels of |∂f/∂x|;
 *   - gradient × input: |Σ_channels ∂f/∂x · x|, a first-order estimate of each pixel's contribution;
 *   - occlusion (Zeiler & Fergus 2014): slide a patch filled with a baseline value and record the
 *     drop f(x) − f(occluded); each pixel gets the mean drop over the patches that covered it.
 * Every map is h × w, row-major, normalised to [0, 1] by its maximum (negative occlusion drops,
 * where hiding a patch raised the output, are clipped to 0); the unnormalised values come along.
 * renderOverlay blends a map onto the image as an RGBA buffer any PNG encoder accepts.
 */
import * as tf from '@tensorflow/tfjs';
import { predictRows } from './model-io';

export interface PixelMap {
  height: number;
  width: number;
  /** h × w in [0, 1]. */
  map: Float32Array;
  /** h × w before normalisation. */
  raw: Float32Array;
}

export interface OcclusionOptions {
  /** Patch side in pixels (default: a quarter of the shorter side, at least 1). */
  patch?: number;
  /** Default: half the patch (at least 1). */
  stride?: number;
  /** Value the patch is filled with (default 0). */
  fill?: number;
  output?: number;
}

function imageShape(inputShape: number[]): [number, number, number] {
  if (inputShape.length !== 3) throw new RangeError(`pixel maps need an [h, w, c] input, got [${inputShape.join(', ')}]`);
  return inputShape as [number, number, number];
}

/** Scales to [0, 1] by the maximum, negatives clipped; an all-zero map stays zero. */
export function normaliseMap(raw: ArrayLike<number>): Float32Array {
  let max = 0;
  for (let i = 0; i < raw.length; i++) max = Math.max(max, raw[i]!);
  return Float32Array.from(raw, (v) => (max > 0 ? Math.max(0, v) / max : 0));
}

function gradientOf(model: tf.LayersModel, image: Float32Array, inputShape: number[], output: number): Float32Array {
  const gradient = tf.grad((input: tf.Tensor) => {
    const out = model.apply(input, { training: false }) as tf.Tensor;
    return out.reshape([1, -1]).slice([0, output], [1, 1]).sum();
  });
  return tf.tidy(() => gradient(tf.tensor(image, [1, ...inputShape], 'float32')).dataSync() as Float32Array);
}

/** max_c |∂f/∂x[y, x, c]|. */
export function saliencyMap(model: tf.LayersModel, image: Float32Array, inputShape: number[], output = 0): PixelMap {
  const [height, width, channels] = imageShape(inputShape);
  const grad = gradientOf(model, image, inputShape, output);
  const raw = new Float32Array(height * width);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < channels; c++) raw[p] = Math.max(raw[p]!, Math.abs(grad[p * channels + c]!));
  }
  return { height, width, raw, map: normaliseMap(raw) };
}

/** |Σ_c ∂f/∂x[y, x, c] · x[y, x, c]|. */
export function gradientTimesInput(model: tf.LayersModel, image: Float32Array, inputShape: number[], output = 0): PixelMap {
  const [height, width, channels] = imageShape(inputShape);
  const grad = gradientOf(model, image, inputShape, output);
  const raw = new Float32Array(height * width);
  for (let p = 0; p < height * width; p++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += grad[p * channels + c]! * image[p * channels + c]!;
    raw[p] = Math.abs(sum);
  }
  return { height, width, raw, map: normaliseMap(raw) };
}

/** Mean output drop per pixel over the occluding patches that cover it. All patches run as one batch. */
export function occlusionMap(model: tf.LayersModel, image: Float32Array, inputShape: number[], options: OcclusionOptions = {}): PixelMap {
  const [height, width, channels] = imageShape(inputShape);
  const patch = Math.max(1, Math.min(options.patch ?? Math.floor(Math.min(height, width) / 4), height, width));
  const stride = Math.max(1, options.stride ?? Math.floor(patch / 2));
  const fill = options.fill ?? 0;
  const output = options.output ?? 0;
  const starts = (extent: number) => {
    const out: number[] = [];
    for (let s = 0; s + patch <= extent; s += stride) out.push(s);
    // The last patch is flush with the edge, so every pixel is covered at least once.
    if (out[out.length - 1] !== extent - patch) out.push(extent - patch);
    return out;
  };
  const positions = starts(height).flatMap((top) => starts(width).map((left) => [top, left] as const));
  const size = height * width * channels;
  const batch = new Float32Array((positions.length + 1) * size);
  batch.set(image, 0);
  positions.forEach(([top, left], k) => {
    const offset = (k + 1) * size;
    batch.set(image, offset);
    for (let y = top; y < top + patch; y++) {
      for (let x = left; x < left + patch; x++) batch.fill(fill, offset + (y * width + x) * channels, offset + (y * width + x + 1) * channels);
    }
  });
  const { values, width: outputs } = predictRows(model, { x: batch, n: positions.length + 1, inputShape });
  if (output < 0 || output >= outputs) throw new RangeError(`output ${output} does not exist; the model has ${outputs} output(s)`);
  const original = values[output]!;
  const sum = new Float64Array(height * width);
  const count = new Float64Array(height * width);
  positions.forEach(([top, left], k) => {
    const drop = original - values[(k + 1) * outputs + output]!;
    for (let y = top; y < top + patch; y++) {
      for (let x = left; x < left + patch; x++) {
        sum[y * width + x] = sum[y * width + x]! + drop;
        count[y * width + x] = count[y * width + x]! + 1;
      }
    }
  });
  const raw = Float32Array.from(sum, (s, p) => s / count[p]!);
  return { height, width, raw, map: normaliseMap(raw) };
}

export interface OverlayOptions {
  /** Weight of the heat colour where the map is 1 (default 0.6); 0 shows the image only. */
  alpha?: number;
}

/**
 * An RGBA buffer (h × w × 4, row-major, straight alpha = 255) of the image with the map drawn
 * over it in a black-red-yellow-white heat scale. Image values are read as [0, 1]; one channel is
 * drawn as grey, three or more as RGB.
 */
export function renderOverlay(image: ArrayLike<number>, inputShape: number[], map: ArrayLike<number>, options: OverlayOptions = {}): Uint8ClampedArray {
  const [height, width, channels] = imageShape(inputShape);
  if (map.length !== height * width) throw new RangeError(`a map for a ${height}×${width} image needs ${height * width} values, got ${map.length}`);
  const alpha = options.alpha ?? 0.6;
  const out = new Uint8ClampedArray(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    const pixel = (c: number) => Math.min(1, Math.max(0, image[p * channels + (channels >= 3 ? c : 0)]!));
    const m = Math.min(1, Math.max(0, map[p]!));
    const heat = [Math.min(1, 3 * m), Math.min(1, Math.max(0, 3 * m - 1)), Math.min(1, Math.max(0, 3 * m - 2))];
    // Strong attributions show more colour; zero leaves the image as it is.
    const a = alpha * m;
    for (let c = 0; c < 3; c++) out[p * 4 + c] = Math.round(255 * ((1 - a) * pixel(c) + a * heat[c]!));
    out[p * 4 + 3] = 255;
  }
  return out;
}
