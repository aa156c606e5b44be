import { describe, expect, it } from 'vitest';
import { forecastWindows, labelledWindows, windowCount } from './sequence';

const series = { values: Float32Array.from({ length: 10 }, (_, i) => i) };

describe('sliding windows', () => {
  it('cuts next-value windows with their targets', () => {
    const w = forecastWindows(series, { window: 3 });
    expect(w.samples).toBe(7);
    expect([...w.x.subarray(0, 3)]).toEqual([0, 1, 2]);
    expect([...w.x.subarray(18, 21)]).toEqual([6, 7, 8]);
    expect([...w.y]).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('honours stride and multi-step horizons without running past the end', () => {
    const w = forecastWindows(series, { window: 4, stride: 3, horizon: 2 });
    expect([...w.starts]).toEqual([0, 3]);
    expect([...w.y]).toEqual([4, 5, 7, 8]);
    expect(windowCount(10, 4, 3, 2)).toBe(2);
    expect(forecastWindows(series, { window: 10 }).samples).toBe(0);
  });

  it('reads multivariate series and forecasts the chosen feature', () => {
    const values = Float32Array.from({ length: 12 }, (_, i) => (i % 2 ? 100 + i : i)); // steps of [t, 100 + t]
    const w = forecastWindows({ values, features: 2 }, { window: 2 }, 1);
    expect(w.features).toBe(2);
    expect([...w.x.subarray(0, 4)]).toEqual([0, 101, 2, 103]);
    expect([...w.y]).toEqual([105, 107, 109, 111]);
  });

  it('labels windows from a label column at the last step or ahead', () => {
    const labels = ['a', 'a', 'b', 'b', 'c', 'c', 'a', 'b', 'c', 'a'];
    expect(labelledWindows(series, labels, { window: 3, stride: 2 }).y).toEqual(['b', 'c', 'a', 'c']);
    expect(labelledWindows(series, labels, { window: 3, stride: 2, horizon: 1 }).y).toEqual(['b', 'c', 'b', 'a']);
  });

  it('names impossible inputs', () => {
    expect(() => forecastWindows({ values: [1, 2, 3], features: 2 }, { window: 1 })).toThrow('does not divide into steps of 2 features');
    expect(() => labelledWindows(series, ['a'], { window: 2 })).toThrow('got 1 labels for 10 time steps');
    expect(() => forecastWindows(series, { window: 2, horizon: 0 })).toThrow('horizon of at least 1');
  });
});
