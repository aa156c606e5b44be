/**
 * Helpers for the wasm training kernels: call another wasm kernel directly (no engine, no
 * tensor tracking) and free the intermediates it made, plus the shape bookkeeping the
 * convolution gradients share.
 */
import { getKernel, type DataType, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };

export interface KernelArgs<A = NamedAttrMap> {
  inputs: Record<string, TensorInfo>;
  attrs: A;
  backend: BackendWasm;
}

/**
 * Runs wasm kernels inside another kernel. Every output is an intermediate, freed by dispose(),
 * except the one handed to keep(): the composite kernel's own result.
 */
export class KernelScope {
  private readonly temps: TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: object = {}): TensorInfo {
    const kernel = getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`the wasm backend has no ${kernelName} kernel`);
    const out = kernel.kernelFunc({ inputs, attrs: attrs as NamedAttrMap, backend: this.backend }) as TensorInfo;
    this.temps.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Zero padding per axis: [[before, after], …]. A no-op padding returns x itself. */
  pad(x: TensorInfo, paddings: [number, number][]): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  /** A new output of the scope's backend that the caller fills (see heap()). */
  output(shape: number[], dtype: DataType = 'float32'): TensorInfo {
    const out = this.backend.makeOutput(shape, dtype);
    this.temps.push(out);
    return out;
  }

  /** Takes a tensor made outside run() (e.g. by calling a kernel function directly) into the scope. */
  adopt(t: TensorInfo): TensorInfo {
    this.temps.push(t);
    return t;
  }

  /** Marks `result` as the kernel's output; returns it. */
  keep(result: TensorInfo): TensorInfo {
    const i = this.temps.lastIndexOf(result);
    if (i >= 0) this.temps.splice(i, 1);
    else this.backend.incRef(result.dataId); // an input passed straight through
    return result;
  }

  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** Runs `body` in a scope and frees everything it made but the returned tensor. */
export function composite(backend: BackendWasm, body: (scope: KernelScope) => TensorInfo): TensorInfo {
  const scope = new KernelScope(backend);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}

/**
 * Spreads the rows and columns of an NHWC tensor `stride` apart with zeros between them
 * ([B, H, W, C] → [B, H·sh, W·sw, C], the last sh−1 rows and sw−1 columns zero): what a
 * strided convolution's transpose reads.
 */
export function spreadByStride(scope: KernelScope, x: TensorInfo, strideHeight: number, strideWidth: number): TensorInfo {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  let out = x;
  if (strideWidth > 1) {
    out = scope.reshape(out, [b * h, w, 1, c]);
    out = scope.pad(out, [
      [0, 0],
      [0, 0],
      [0, strideWidth - 1],
      [0, 0],
    ]);
  }
  if (strideHeight > 1) {
    out = scope.reshape(out, [b, h, 1, w * strideWidth * c]);
    out = scope.pad(out, [
      [0, 0],
      [0, 0],
      [0, strideHeight - 1],
      [0, 0],
    ]);
  }
  return out === x ? x : scope.reshape(out, [b, h * strideHeight, w * strideWidth, c]);
}

/**
 * For the transpose of a convolution along one axis: the zero padding (negative: cropping) to
 * put around an input spread by `stride` (length `spread`) so that a stride-1 correlation with
 * the flipped filter yields `size` outputs.
 */
export function transposePadding(size: number, spread: number, filter: number, dilation: number, padBefore: number): [number, number] {
  const before = (filter - 1) * dilation - padBefore;
  // Output i reads spread positions i − before … i − before + (filter − 1)·dilation.
  const after = size - 1 + padBefore - (spread - 1);
  return [before, after];
}

/** Crops an NHWC tensor's H and W axes by the negative parts of [before, after] paddings. */
export function cropNegative(scope: KernelScope, x: TensorInfo, rows: [number, number], cols: [number, number]): TensorInfo {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const crop = (n: number) => Math.max(0, -n);
  return scope.slice(x, [0, crop(rows[0]), crop(cols[0]), 0], [b, h - crop(rows[0]) - crop(rows[1]), w - crop(cols[0]) - crop(cols[1]), c]);
}

/** The non-negative parts of [before, after] paddings (the rest is cropped). */
export function nonNegative([before, after]: [number, number]): [number, number] {
  return [Math.max(0, before), Math.max(0, after)];
}
