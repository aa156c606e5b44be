import { describe, expect, it } from 'vitest';
import { smoothTimeWeighted } from './smoothing';

const noisy = (n: number, span: number) =>
  Array.from({ length: n }, (_, i) => {
    const x = (i / (n - 1)) * span;
    return { x, y: Math.exp(-x / span) + 0.2 * Math.sin((x / span) * 25) };
  });

describe('time-weighted smoothing', () => {
  it('does not depend on point density: dense and sparse samplings of one curve agree', () => {
    const dense = smoothTimeWeighted(noisy(10_001, 1000), 0.6);
    const sparse = smoothTimeWeighted(noisy(101, 1000), 0.6);
    // Compare at the sparse x positions (every 100th dense point).
    let maxDiff = 0;
    sparse.forEach((p, i) => (maxDiff = Math.max(maxDiff, Math.abs(p.y - dense[i * 100]!.y))));
    expect(maxDiff).toBeLessThan(0.06);
  });

  it('does not over-weight a crowded region (uneven sampling of the same curve)', () => {
    const even = smoothTimeWeighted(noisy(2001, 1000), 0.5);
    // The same curve with 10× the points in [400, 500].
    const uneven = [
      ...noisy(2001, 1000).filter((p) => p.x < 400 || p.x > 500),
      ...Array.from({ length: 2001 }, (_, i) => {
        const x = 400 + i * 0.05;
        return { x, y: Math.exp(-x / 1000) + 0.2 * Math.sin((x / 1000) * 25) };
      }),
    ].sort((a, b) => a.x - b.x);
    const u = smoothTimeWeighted(uneven, 0.5);
    const at = (s: { x: number; y: number }[], x: number) => s.reduce((best, p) => (Math.abs(p.x - x) < Math.abs(best.x - x) ? p : best));
    for (const x of [300, 450, 600, 900]) expect(Math.abs(at(u, x).y - at(even, x).y)).toBeLessThan(0.01);
  });

  it('leaves the data unchanged at 0 and keeps constant series constant (debiased start)', () => {
    const pts = noisy(50, 10);
    expect(smoothTimeWeighted(pts, 0)).toEqual(pts);
    const flat = Array.from({ length: 30 }, (_, x) => ({ x, y: 3 }));
    for (const p of smoothTimeWeighted(flat, 0.9)) expect(p.y).toBeCloseTo(3, 12);
  });

  it('passes NaN through without poisoning later points', () => {
    const pts = [
      { x: 0, y: 1 },
      { x: 1, y: Number.NaN },
      { x: 2, y: 1 },
    ];
    const s = smoothTimeWeighted(pts, 0.5);
    expect(Number.isNaN(s[1]!.y)).toBe(true);
    expect(s[2]!.y).toBeCloseTo(1, 12);
  });
});
