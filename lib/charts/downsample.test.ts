import { describe, expect, it } from 'vitest';
import { downsampleMinMax } from './downsample';

describe('min/max downsampling', () => {
  it('keeps a one-step spike and the last point of a 1 000 000-point series within the budget', () => {
    const n = 1_000_000;
    const spikeAt = 654_321;
    const points = Array.from({ length: n }, (_, step) => ({ step, value: step === spikeAt ? 50 : Math.exp(-step / 200_000) + 0.01 * Math.sin(step) }));
    points[n - 1]!.value = 0.123;
    for (const budget of [1000, 500, 101, 3]) {
      const out = downsampleMinMax(points, budget);
      expect(out.length).toBeLessThanOrEqual(budget);
      expect(out.at(-1)).toEqual({ step: n - 1, value: 0.123 });
      if (budget >= 3) expect(out.some((p) => p.step === spikeAt && p.value === 50)).toBe(true);
      for (let i = 1; i < out.length; i++) expect(out[i]!.step).toBeGreaterThan(out[i - 1]!.step);
    }
  });

  it('keeps a negative spike too, and NaN', () => {
    const points = Array.from({ length: 10_000 }, (_, step) => ({ step, value: 1 }));
    points[1234]!.value = -7;
    points[8000]!.value = Number.NaN;
    const out = downsampleMinMax(points, 50);
    expect(out.some((p) => p.value === -7)).toBe(true);
    expect(out.some((p) => Number.isNaN(p.value))).toBe(true);
  });

  it('returns short series unchanged and handles uneven steps', () => {
    const pts = [0, 5, 9].map((step) => ({ step, value: step }));
    expect(downsampleMinMax(pts, 10)).toEqual(pts);
    const uneven = [...Array.from({ length: 100 }, (_, i) => ({ step: i, value: i })), ...Array.from({ length: 100 }, (_, i) => ({ step: 10_000 + i * 100, value: -i }))];
    const out = downsampleMinMax(uneven, 21);
    expect(out.length).toBeLessThanOrEqual(21);
    expect(out.at(-1)).toEqual(uneven.at(-1));
    expect(out[0]).toEqual({ step: 0, value: 0 });
  });

  it('refuses a non-positive budget', () => {
    expect(() => downsampleMinMax([], 0)).toThrow(RangeError);
  });
});

describe('aligned buckets', () => {
  it('uses the smallest power-of-two width that fits the budget, and orders NaN above every number', () => {
    const points = Array.from({ length: 100 }, (_, step) => ({ step, value: step % 10 === 3 ? Number.NaN : step % 7 }));
    const out = downsampleMinMax(points, 21); // 10 buckets → width 16 (7 buckets)
    expect(out.length).toBeLessThanOrEqual(21);
    for (const p of out.slice(0, -1)) {
      const bucket = points.filter((q) => Math.floor(q.step / 16) === Math.floor(p.step / 16));
      const numbers = bucket.filter((q) => !Number.isNaN(q.value)).map((q) => q.value);
      const highest = bucket.some((q) => Number.isNaN(q.value)) ? Number.NaN : Math.max(...numbers);
      expect(p.value === Math.min(...numbers) || Object.is(p.value, highest)).toBe(true);
    }
    // The maximum of each bucket holding a NaN is a NaN (steps 3, 13, …, 93: buckets 0–5).
    expect(out.filter((p) => Number.isNaN(p.value)).length).toBe(6);
    expect(out.at(-1)).toEqual(points.at(-1));
  });
});
