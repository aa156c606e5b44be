/**
 * Which layers a backend can train. tfjs-backend-wasm 4.22 runs every layer forwards but lacks
 * some gradient kernels (found by training one model per layer type on it):
 * Conv2DBackpropFilter (conv1d, conv2d, conv2dTranspose, separableConv2d),
 * DepthwiseConv2dNativeBackpropFilter (depthwiseConv2d) and UnsortedSegmentSum (embedding).
 */
import { inferArchitecture } from '@/lib/arch/infer';
import { specParts, type ArchitectureSpec, type LayerType } from '@/lib/arch/spec';

const WASM_MISSING_GRADIENT: Partial<Record<LayerType, string>> = {
  conv1d: 'Conv2DBackpropFilter',
  conv2d: 'Conv2DBackpropFilter',
  conv2dTranspose: 'Conv2DBackpropFilter',
  separableConv2d: 'Conv2DBackpropFilter',
  depthwiseConv2d: 'DepthwiseConv2dNativeBackpropFilter',
  embedding: 'UnsortedSegmentSum',
};

/** Why `backend` (tf.getBackend() name) cannot train the spec, or null when it can. */
export function trainingUnsupported(spec: ArchitectureSpec, backend: string): string | null {
  if (backend !== 'wasm') return null;
  const layersByPart = new Map(specParts(spec).map(({ part, layers }) => [part, layers]));
  for (const row of inferArchitecture(spec).layers) {
    const kernel = WASM_MISSING_GRADIENT[row.type];
    // A frozen layer needs no gradient for its own weights.
    if (kernel && layersByPart.get(row.part)?.[row.index]?.trainable !== false) {
      return `${row.part} layer ${row.index} '${row.name}' (${row.type}) cannot be trained on the wasm backend: tfjs-backend-wasm has no ${kernel} kernel`;
    }
  }
  return null;
}
