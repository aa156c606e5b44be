/**
 * BatchMatMul and _FusedMatMul for wasm with transposed operands. tfjs-backend-wasm 4.22 sends
 * only an untransposed, unbatched product to XNNPACK; with transposeA or transposeB it takes a
 * plain loop about 10× slower. Every dense (and recurrent) layer's backward pass asks for
 * x^T·dy and dy·W^T, so for one operand of batch 1 this transposes it with the wasm Transpose
 * kernel (a memory pass) and hands the untransposed product to the original kernel.
 * Batched products (batch > 1) keep the original path: the wasm backend has no fast one.
 */
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { composite, type KernelArgs } from './kernel-utils';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  [key: string]: unknown;
}

function unbatched(t: TensorInfo): boolean {
  return util.sizeFromShape(t.shape.slice(0, -2)) === 1;
}

function swapLastAxes(rank: number): number[] {
  return [...Array(rank - 2).keys(), rank - 1, rank - 2];
}

/** Wraps a wasm matmul kernel so that transposed, unbatched operands take the XNNPACK path. */
export function withExplicitTranspose(original: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, attrs, backend }: KernelArgs<MatMulAttrs>): TensorInfo => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs;
    if ((!transposeA && !transposeB) || !unbatched(a) || !unbatched(b)) {
      return original.kernelFunc({ inputs, attrs, backend } as never) as TensorInfo;
    }
    return composite(backend, (scope) => {
      const a2 = transposeA ? scope.transpose(a, swapLastAxes(a.shape.length)) : a;
      const b2 = transposeB ? scope.transpose(b, swapLastAxes(b.shape.length)) : b;
      const product = original.kernelFunc({
        inputs: { ...inputs, a: a2, b: b2 },
        attrs: { ...attrs, transposeA: false, transposeB: false },
        backend,
      } as never) as TensorInfo;
      return scope.adopt(product);
    });
  };
  // The original's setupFunc binds its wasm function; it must still run when the backend starts.
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}
