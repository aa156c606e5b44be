/**
 * Identity for wasm, sharing the data instead of copying it (as the cpu and webgl backends do;
 * wasm tensors are never written in place). tfjs clones every tensor a gradient will need
 * through Identity, so the wasm backend's copy costs a memory pass per saved activation.
 */
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { KernelArgs } from './kernel-utils';

/** Wraps the original Identity: strings keep its path. */
export function sharingIdentity(original: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, attrs, backend }: KernelArgs): TensorInfo => {
    const { x } = inputs as { x: TensorInfo };
    if (x.dtype === 'string') return original.kernelFunc({ inputs, attrs, backend } as never) as TensorInfo;
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { ...original, kernelName: Identity, kernelFunc: kernelFunc as unknown as KernelFunc };
}
