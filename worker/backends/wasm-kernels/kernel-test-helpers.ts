/**
 * Shared by the wasm kernel tests: run one kernel on the cpu and the wasm backend with the same
 * inputs, compare, and draw seeded random convolution geometries.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '@/lib/random';
import { loadBestBackend } from '../../backend';

export type Padding = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

export interface HostTensor {
  values: Float32Array | Int32Array;
  shape: number[];
}

/** Loads the wasm backend (registering the training kernels); the cpu backend is always there. */
export async function loadWasm(): Promise<void> {
  await loadBestBackend('wasm');
}

export function randomTensor(rng: Rng, shape: number[], draw: () => number = () => rng.normal()): HostTensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = draw();
  return { values, shape };
}

/** Runs `kernelName` through the engine on `backend` and reads its (first) output back. */
export async function runKernelOn(backend: 'cpu' | 'wasm', kernelName: string, inputs: Record<string, HostTensor>, attrs: object): Promise<HostTensor> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) {
      tensors[name] = tf.tensor(t.values, t.shape, t.values instanceof Int32Array ? 'int32' : 'float32');
    }
    const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
    const first = Array.isArray(out) ? out[0]! : out;
    return { values: first.dataSync() as Float32Array | Int32Array, shape: first.shape };
  });
}

/** ‖actual − expected‖∞ / ‖expected‖∞ (0 when both are all zeros). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff === 0 ? 0 : diff / (scale || 1);
}

/** Runs the kernel on both backends and returns the wasm result's error relative to cpu's. */
export async function compareWithCpu(kernelName: string, inputs: Record<string, HostTensor>, attrs: object): Promise<{ error: number; shape: number[]; cpuShape: number[] }> {
  const expected = await runKernelOn('cpu', kernelName, inputs, attrs);
  const actual = await runKernelOn('wasm', kernelName, inputs, attrs);
  const sameShape = actual.shape.join() === expected.shape.join();
  return { error: sameShape ? relativeError(actual.values, expected.values) : Infinity, shape: actual.shape, cpuShape: expected.shape };
}

export interface ConvCase {
  /** NHWC input shape. */
  inShape: [number, number, number, number];
  filterHeight: number;
  filterWidth: number;
  strides: [number, number];
  dilations: [number, number];
  pad: Padding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * A random convolution geometry with at least one output position: batch 1–3, sides 1–11,
 * filters 1–4 (by side), strides 1–3, dilations 1–3 when `dilated` (tfjs allows a stride and a
 * dilation above 1 together only in kernels, so one of them is 1), and 'same', 'valid',
 * one number or explicit per-side padding.
 */
export function randomConvCase(rng: Rng, channels: number, dilated: boolean): ConvCase {
  for (;;) {
    const inShape: ConvCase['inShape'] = [1 + rng.int(3), 1 + rng.int(11), 1 + rng.int(11), channels];
    const filterHeight = 1 + rng.int(4);
    const filterWidth = 1 + rng.int(4);
    let strides: [number, number] = [1 + rng.int(3), 1 + rng.int(3)];
    let dilations: [number, number] = [1, 1];
    if (dilated && rng.chance(0.5)) {
      dilations = [1 + rng.int(3), 1 + rng.int(3)];
      strides = [1, 1];
    }
    const kind = rng.int(4);
    const side = () => rng.int(3);
    const pad: Padding =
      kind === 0
        ? 'same'
        : kind === 1
          ? 'valid'
          : kind === 2
            ? rng.int(3)
            : [
                [0, 0],
                [side(), side()],
                [side(), side()],
                [0, 0],
              ];
    const dimRoundingMode = typeof pad === 'number' ? (['floor', 'round', 'ceil'] as const)[rng.int(3)] : undefined;
    const c: ConvCase = { inShape, filterHeight, filterWidth, strides, dilations, pad, dimRoundingMode };
    const info = tf.backend_util.computeConv2DInfo(inShape, [filterHeight, filterWidth, channels, 1], strides, dilations, pad, dimRoundingMode);
    if (info.outHeight >= 1 && info.outWidth >= 1) return c;
  }
}

export function outShapeOf(c: ConvCase, outChannels: number, depthwise = false): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(
    c.inShape,
    [c.filterHeight, c.filterWidth, c.inShape[3], depthwise ? outChannels / c.inShape[3] : outChannels],
    c.strides,
    c.dilations,
    c.pad,
    c.dimRoundingMode,
    depthwise,
  );
  return info.outShape;
}

/**
 * A dilated filter written out with zeros between its taps ([kh, kw, …] → [(kh−1)·dh+1, (kw−1)·dw+1, …]):
 * the cpu backend's gradient kernels ignore dilations, so dilated cases are checked against the
 * undilated kernel on this filter.
 */
export function spreadFilter(filter: HostTensor, dh: number, dw: number): HostTensor {
  const [kh, kw, ...rest] = filter.shape as [number, number, ...number[]];
  const inner = rest.reduce((a, b) => a * b, 1);
  const shape = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ...rest];
  const values = new Float32Array(shape[0]! * shape[1]! * inner);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) values.set(filter.values.subarray((i * kw + j) * inner, (i * kw + j + 1) * inner), (i * dh * shape[1]! + j * dw) * inner);
  return { values, shape };
}

/** The taps of a gradient for a spread filter (see spreadFilter) that belong to the dilated filter. */
export function tapsOf(spreadGrad: HostTensor, kh: number, kw: number, dh: number, dw: number): Float32Array {
  const [, spreadWidth, ...rest] = spreadGrad.shape as [number, number, ...number[]];
  const inner = rest.reduce((a, b) => a * b, 1);
  const out = new Float32Array(kh * kw * inner);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) {
      const from = (i * dh * spreadWidth + j * dw) * inner;
      out.set(spreadGrad.values.subarray(from, from + inner), (i * kw + j) * inner);
    }
  return out;
}

export { createRng };
