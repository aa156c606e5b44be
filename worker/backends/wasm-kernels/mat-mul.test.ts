import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithCpu, createRng, loadWasm, randomTensor } from './kernel-test-helpers';

beforeAll(loadWasm);

describe('BatchMatMul and _FusedMatMul on wasm with transposed operands', () => {
  it('matches the cpu backend for every transpose combination, batched and broadcast included', async () => {
    const rng = createRng(601);
    for (let i = 0; i < 40; i++) {
      const [m, k, n] = [1 + rng.int(9), 1 + rng.int(9), 1 + rng.int(9)];
      const transposeA = rng.chance(0.5);
      const transposeB = rng.chance(0.5);
      const batch = [1, 1, 3][rng.int(3)]!;
      const batchB = rng.chance(0.3) ? 1 : batch;
      const a = randomTensor(rng, [batch, ...(transposeA ? [k, m] : [m, k])]);
      const b = randomTensor(rng, [batchB, ...(transposeB ? [n, k] : [k, n])]);
      const { error, shape } = await compareWithCpu('BatchMatMul', { a, b }, { transposeA, transposeB });
      expect(shape).toEqual([batch, m, n]);
      expect(error, `a ${a.shape} b ${b.shape} ${transposeA} ${transposeB}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it('keeps bias and activation of the fused product', async () => {
    const rng = createRng(602);
    for (const [transposeA, transposeB] of [
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const a = randomTensor(rng, [1, ...(transposeA ? [5, 3] : [3, 5])]);
      const b = randomTensor(rng, [1, ...(transposeB ? [4, 5] : [5, 4])]);
      const bias = randomTensor(rng, [4]);
      const { error } = await compareWithCpu('_FusedMatMul', { a, b, bias }, { transposeA, transposeB, activation: 'relu', leakyreluAlpha: 0.2 });
      expect(error).toBeLessThanOrEqual(1e-4);
    }
  });
});
