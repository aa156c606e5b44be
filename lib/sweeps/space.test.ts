import { describe, expect, it } from 'vitest';
import { ZCreateSweepInput, type SweepSpace } from '../schemas/sweeps';
import { formatZodError } from '../schemas/format';
import { applyParams, effectiveBudget, enumerateGrid, gridSize, gridValues, sweepProblems, trialConfig, trialParams } from './space';

const base = { paradigm: 'supervised', epochs: 3, batchSize: 32 };
const input = (over: Record<string, unknown>) => ({
  projectId: 'p',
  name: 'Sweep',
  architectureId: 'a',
  datasetId: 'd',
  config: base,
  method: 'random',
  maxRuns: 10,
  objective: { metric: 'val_loss', direction: 'min' },
  space: { learningRate: { type: 'log-uniform', low: 1e-4, high: 1e-1 } },
  ...over,
});
const problemsOf = (over: Record<string, unknown>) => {
  const r = ZCreateSweepInput.safeParse(input(over));
  return r.success ? '' : formatZodError(r.error, 10);
};

describe('grid', () => {
  it('enumerates every point in product order, the last parameter fastest', () => {
    const space: SweepSpace = {
      batchSize: { type: 'choice', values: [16, 32] },
      learningRate: { type: 'log-uniform', low: 1e-3, high: 1e-1, gridPoints: 3 },
    };
    expect(gridValues(space.learningRate!)).toEqual([0.001, 0.01, 0.1]);
    expect(gridSize(space)).toBe(6);
    expect(enumerateGrid(space)).toEqual([
      { batchSize: 16, learningRate: 0.001 },
      { batchSize: 16, learningRate: 0.01 },
      { batchSize: 16, learningRate: 0.1 },
      { batchSize: 32, learningRate: 0.001 },
      { batchSize: 32, learningRate: 0.01 },
      { batchSize: 32, learningRate: 0.1 },
    ]);
  });

  it('int-uniform steps and uniform grid points', () => {
    expect(gridValues({ type: 'int-uniform', low: 2, high: 9, step: 3 })).toEqual([2, 5, 8]);
    expect(gridValues({ type: 'uniform', low: 0, high: 1, gridPoints: 5 })).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(gridValues({ type: 'uniform', low: 0, high: 1 })).toBeNull();
  });

  it('a full budget walks the grid in order; a short one takes a seeded spread of distinct points', () => {
    const space: SweepSpace = { epochs: { type: 'int-uniform', low: 1, high: 8, step: 1 } };
    const all = Array.from({ length: 8 }, (_, i) => trialParams({ method: 'grid', seed: 0, space, maxRuns: 8 }, i).epochs);
    expect(all).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const short = Array.from({ length: 4 }, (_, i) => trialParams({ method: 'grid', seed: 5, space, maxRuns: 4 }, i).epochs);
    expect(new Set(short).size).toBe(4);
    expect(short).toEqual(Array.from({ length: 4 }, (_, i) => trialParams({ method: 'grid', seed: 5, space, maxRuns: 4 }, i).epochs));
    expect(effectiveBudget('grid', space, 100)).toBe(8);
    expect(effectiveBudget('random', space, 100)).toBe(100);
    expect(() => trialParams({ method: 'grid', seed: 0, space, maxRuns: 8 }, 8)).toThrow(/outside the grid of 8/);
  });
});

describe('random sampling', () => {
  const space: SweepSpace = {
    learningRate: { type: 'log-uniform', low: 1e-4, high: 1e-1 },
    'optimizer.beta1': { type: 'uniform', low: 0.8, high: 0.99 },
    batchSize: { type: 'int-uniform', low: 16, high: 128, step: 16 },
    'optimizer.name': { type: 'choice', values: ['adam', 'adamax'] },
  };
  const sweep = { method: 'random' as const, seed: 7, space, maxRuns: 500 };

  it('is deterministic per (seed, trial) and differs between seeds', () => {
    expect(trialParams(sweep, 3)).toEqual(trialParams(sweep, 3));
    expect(trialParams(sweep, 3)).not.toEqual(trialParams(sweep, 4));
    expect(trialParams(sweep, 3)).not.toEqual(trialParams({ ...sweep, seed: 8 }, 3));
  });

  it('stays inside the bounds and spreads log-uniform values over the decades', () => {
    const trials = Array.from({ length: 500 }, (_, i) => trialParams(sweep, i));
    const lrs = trials.map((t) => t.learningRate as number);
    expect(Math.min(...lrs)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...lrs)).toBeLessThanOrEqual(1e-1);
    // Each decade gets about a third of the draws under a log-uniform distribution.
    for (const [lo, hi] of [
      [1e-4, 1e-3],
      [1e-3, 1e-2],
      [1e-2, 1e-1],
    ] as const) {
      const share = lrs.filter((v) => v >= lo && v < hi).length / lrs.length;
      expect(share).toBeGreaterThan(0.25);
      expect(share).toBeLessThan(0.42);
    }
    const batches = new Set(trials.map((t) => t.batchSize));
    expect([...batches].sort((a, b) => (a as number) - (b as number))).toEqual([16, 32, 48, 64, 80, 96, 112, 128]);
    expect(new Set(trials.map((t) => t['optimizer.name']))).toEqual(new Set(['adam', 'adamax']));
    for (const t of trials) expect(t['optimizer.beta1']).toBeGreaterThanOrEqual(0.8);
  });

  it('gives valid run configs; a swept optimizer name starts from that optimizer’s defaults', () => {
    for (let i = 0; i < 20; i++) {
      const config = trialConfig({ ...base, optimizer: { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } }, trialParams(sweep, i));
      expect(['adam', 'adamax']).toContain(config.optimizer.name);
      expect((config.optimizer as { beta1: number }).beta1).toBe(trialParams(sweep, i)['optimizer.beta1']);
    }
    expect(applyParams({ optimizer: { name: 'adam', beta1: 0.5 } }, { 'optimizer.name': 'sgd' })).toEqual({ optimizer: { name: 'sgd' } });
  });
});

describe('validation names the parameter', () => {
  it('accepts a good sweep and fills defaults', () => {
    const r = ZCreateSweepInput.parse(input({}));
    expect(r.parallelism).toBe(2);
    expect(r.earlyStopping).toBeNull();
    expect(r.objective.summary).toBe('last');
  });

  it('log-uniform low must be > 0', () => {
    expect(problemsOf({ space: { learningRate: { type: 'log-uniform', low: 0, high: 0.1 } } })).toMatch(/learningRate: log-uniform needs low > 0 \(got 0\)/);
  });

  it('low above high', () => {
    expect(problemsOf({ space: { 'optimizer.beta1': { type: 'uniform', low: 0.99, high: 0.9 } } })).toMatch(/optimizer\.beta1: low \(0\.99\) must not be above high \(0\.9\)/);
  });

  it('a grid over a continuous range needs gridPoints', () => {
    expect(problemsOf({ method: 'grid', space: { learningRate: { type: 'uniform', low: 0.001, high: 0.1 } } })).toMatch(/learningRate: a grid needs a finite set of values/);
  });

  it('values the run config refuses, and paths it does not have', () => {
    expect(problemsOf({ space: { batchSize: { type: 'uniform', low: 8, high: 64 } } })).toMatch(
      /batchSize: the value 29\.112 does not fit the run configuration \(batchSize: .*\); use int-uniform for whole numbers/,
    );
    expect(problemsOf({ space: { batchSize: { type: 'int-uniform', low: 0, high: 64 } } })).toMatch(/batchSize: the value 0 does not fit the run configuration \(batchSize: /);
    expect(problemsOf({ space: { hiddenUnits: { type: 'choice', values: [8, 16] } } })).toMatch(/hiddenUnits: the value 8 does not fit the run configuration/);
    expect(problemsOf({ space: { 'optimizer.name': { type: 'choice', values: ['adam', 'lion'] } } })).toMatch(/optimizer\.name: the value "lion" does not fit/);
    expect(problemsOf({ space: { paradigm: { type: 'choice', values: ['gan'] } } })).toMatch(/paradigm cannot be swept/);
  });

  it('duplicate choices, nested paths, and test metrics with median stopping', () => {
    expect(problemsOf({ space: { batchSize: { type: 'choice', values: [16, 16] } } })).toMatch(/batchSize: a value is listed twice/);
    expect(problemsOf({ space: { optimizer: { type: 'choice', values: ['x'] }, 'optimizer.beta1': { type: 'uniform', low: 0.8, high: 0.9 } } })).toMatch(/optimizer\.beta1: lies inside optimizer/);
    expect(problemsOf({ objective: { metric: 'test_accuracy', direction: 'max' }, earlyStopping: {} })).toMatch(/test_accuracy is only known after training/);
  });

  it('sweepProblems is empty for a valid space', () => {
    expect(sweepProblems({ method: 'random', space: { epochs: { type: 'int-uniform', low: 1, high: 5, step: 1 } }, config: base, objective: { metric: 'val_loss' }, earlyStopping: null })).toEqual([]);
  });
});
