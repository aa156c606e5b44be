import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeFairness, predictFromScores } from './metrics';
import { createThresholdExplorer, defaultGrid, lowerBound } from './thresholds';

const rowsArb = fc.array(
  fc.record({
    y: fc.integer({ min: 0, max: 1 }),
    // few distinct scores, so thresholds often hit ties
    score: fc.integer({ min: 0, max: 10 }).map((k) => k / 10),
    a: fc.constantFrom('x', 'y', 'z'),
    b: fc.constantFrom('p', 'q'),
  }),
  { minLength: 1, maxLength: 80 },
);

describe('createThresholdExplorer', () => {
  it('gives the same report as thresholding the scores and recomputing', () => {
    fc.assert(
      fc.property(
        rowsArb,
        fc.integer({ min: -1, max: 11 }).map((k) => k / 10),
        (rows, t) => {
          const input = {
            yTrue: rows.map((r) => r.y),
            sensitive: [
              { name: 'a', values: rows.map((r) => r.a) },
              { name: 'b', values: rows.map((r) => r.b) },
            ],
          };
          const scores = rows.map((r) => r.score);
          const explorer = createThresholdExplorer({ ...input, scores });
          expect(explorer.at(t)).toEqual(computeFairness({ ...input, yPred: predictFromScores(scores, t) }));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('traces a curve of accuracy, selection rates and disparities', () => {
    const explorer = createThresholdExplorer({
      yTrue: [1, 0, 1, 0, 1, 0],
      scores: [0.9, 0.4, 0.6, 0.1, 0.3, 0.8],
      sensitive: [{ name: 'g', values: ['a', 'a', 'a', 'b', 'b', 'b'] }],
    });
    const curve = explorer.curve([0, 0.5, 0.95]);
    expect(curve[0]).toEqual({ threshold: 0, accuracy: 0.5, selection_rate: { a: 1, b: 1 }, demographic_parity_difference: 0, equalized_odds_difference: 0 });
    // t = 0.5: a selects 0.9, 0.6 (both positives); b selects 0.8 (a negative)
    expect(curve[1]!.accuracy).toBe(4 / 6);
    expect(curve[1]!.selection_rate).toEqual({ a: 2 / 3, b: 1 / 3 });
    expect(curve[1]!.demographic_parity_difference).toBeCloseTo(1 / 3, 15);
    expect(curve[1]!.equalized_odds_difference).toBe(1); // TPR a 1 vs b 0
    expect(curve[2]!.selection_rate).toEqual({ a: 0, b: 0 });
    expect(defaultGrid()).toHaveLength(101);
  });

  it('refuses non-finite scores and unknown curve attributes', () => {
    expect(() => createThresholdExplorer({ yTrue: [1], scores: [Number.NaN], sensitive: [{ name: 'g', values: ['a'] }] })).toThrow(/row 1/);
    const explorer = createThresholdExplorer({ yTrue: [1], scores: [0.5], sensitive: [{ name: 'g', values: ['a'] }] });
    expect(() => explorer.curve([0.5], 'nope')).toThrow(/'nope'/);
  });

  it('counts entries below a value', () => {
    expect(lowerBound([0.1, 0.2, 0.2, 0.3], 0.2)).toBe(1);
    expect(lowerBound([0.1, 0.2, 0.2, 0.3], 0.25)).toBe(3);
    expect(lowerBound([], 1)).toBe(0);
  });
});
