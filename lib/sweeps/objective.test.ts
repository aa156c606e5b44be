import { describe, expect, it } from 'vitest';
import { bestIndex, median, medianPrune, objectiveSeries, objectiveValue } from './objective';

const settings = { warmupEpochs: 1, startupRuns: 2 };

describe('objective', () => {
  it('maps names to series', () => {
    expect(objectiveSeries('val_loss')).toEqual({ key: 'loss', context: 'validation' });
    expect(objectiveSeries('test_roc_auc')).toEqual({ key: 'roc_auc', context: 'test' });
    expect(objectiveSeries('accuracy')).toEqual({ key: 'accuracy', context: 'train' });
  });

  it('last or best of a summary, and the best run', () => {
    const s = { last: 0.5, min: 0.3, max: 0.9 };
    expect(objectiveValue({ direction: 'min', summary: 'last' }, s)).toBe(0.5);
    expect(objectiveValue({ direction: 'min', summary: 'best' }, s)).toBe(0.3);
    expect(objectiveValue({ direction: 'max', summary: 'best' }, s)).toBe(0.9);
    expect(objectiveValue({ direction: 'max', summary: 'best' }, undefined)).toBeNull();
    expect(bestIndex('min', [null, 0.4, 0.2, 0.2])).toBe(2);
    expect(bestIndex('max', [null, 0.4, 0.2])).toBe(1);
    expect(bestIndex('max', [null])).toBe(-1);
  });

  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('median early stopping', () => {
  const base = { settings, direction: 'min' as const, metric: 'val_loss', completedRuns: 3 };

  it('prunes a run whose best value so far is worse than the median at that epoch', () => {
    const d = medianPrune({ ...base, epoch: 2, own: [0.9, 0.8], completedAtEpoch: [0.5, 0.4, 0.6] });
    expect(d.prune).toBe(true);
    expect(d.reason).toBe('pruned after epoch 2: its best val_loss 0.8 is worse than the median 0.5 of 3 completed run(s) at that epoch');
  });

  it('keeps a run that is at least as good as the median, or whose earlier best is', () => {
    expect(medianPrune({ ...base, epoch: 2, own: [0.9, 0.5], completedAtEpoch: [0.5, 0.4, 0.6] }).prune).toBe(false);
    expect(medianPrune({ ...base, epoch: 3, own: [0.3, 0.9, 0.9], completedAtEpoch: [0.5, 0.4, 0.6] }).prune).toBe(false);
  });

  it('maximising objectives prune runs below the median', () => {
    expect(medianPrune({ ...base, direction: 'max', metric: 'val_accuracy', epoch: 2, own: [0.6, 0.62], completedAtEpoch: [0.8, 0.85] }).prune).toBe(true);
    expect(medianPrune({ ...base, direction: 'max', metric: 'val_accuracy', epoch: 2, own: [0.6, 0.9], completedAtEpoch: [0.8, 0.85] }).prune).toBe(false);
  });

  it('never prunes during warm-up, before enough runs completed, or without reference values', () => {
    expect(medianPrune({ ...base, epoch: 1, own: [9], completedAtEpoch: [0.1] }).prune).toBe(false);
    expect(medianPrune({ ...base, completedRuns: 1, epoch: 2, own: [9, 9], completedAtEpoch: [0.1] }).prune).toBe(false);
    expect(medianPrune({ ...base, epoch: 2, own: [9, 9], completedAtEpoch: [] }).reason).toMatch(/no completed run reached epoch 2/);
    expect(medianPrune({ ...base, epoch: 2, own: [NaN], completedAtEpoch: [0.1] }).prune).toBe(false);
  });
});
