import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argmaxRows, averagePrecision, classificationReport, confusionMatrix, evaluateClassifier, MetricInputError, precisionRecallCurve, regressionReport, rocAuc, rocCurve } from './evaluation';

describe('classification report', () => {
  // Worked by hand: class 0 P=1/2 R=1/2; class 1 P=2/3 R=1; class 2 P=1 R=2/3.
  const yTrue = [0, 0, 1, 1, 2, 2, 2];
  const yPred = [0, 1, 1, 1, 2, 0, 2];

  it('counts the confusion matrix as [true][predicted]', () => {
    expect(confusionMatrix(yTrue, yPred, 3)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 2],
    ]);
  });

  it('matches hand-computed precision, recall, F1 and their averages', () => {
    const r = classificationReport(yTrue, yPred, 3);
    expect(r.accuracy).toBeCloseTo(5 / 7, 12);
    expect(r.perClass.map((c) => c.precision)).toEqual([0.5, 2 / 3, 1].map((v) => expect.closeTo(v, 12)));
    expect(r.perClass.map((c) => c.recall)).toEqual([0.5, 1, 2 / 3].map((v) => expect.closeTo(v, 12)));
    expect(r.perClass.map((c) => c.f1)).toEqual([0.5, 0.8, 0.8].map((v) => expect.closeTo(v, 12)));
    expect(r.perClass.map((c) => c.support)).toEqual([2, 2, 3]);
    expect(r.macro.precision).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 12);
    expect(r.macro.recall).toBeCloseTo((0.5 + 1 + 2 / 3) / 3, 12);
    expect(r.macro.f1).toBeCloseTo(0.7, 12);
    expect(r.weighted.f1).toBeCloseTo(5 / 7, 12);
  });

  it('gives 0, not NaN, for a class that is never predicted or never occurs', () => {
    const r = classificationReport([0, 0, 1], [0, 0, 0], 3);
    expect(r.perClass[1]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.perClass[2]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('refuses labels outside the classes and mismatched lengths', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow('true label 3 at example 1');
    expect(() => confusionMatrix([0, 1], [0], 3)).toThrow(MetricInputError);
  });

  it('takes the arg max of score rows, first index on ties', () => {
    expect(argmaxRows([0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1], 3)).toEqual([1, 0, 2]);
  });
});

describe('ROC curve and AUC', () => {
  // scikit-learn's documented example: roc_auc_score → 0.75, average_precision_score → 0.8333.
  const y = [0, 0, 1, 1];
  const s = [0.1, 0.4, 0.35, 0.8];

  it('matches scikit-learn on its documented example', () => {
    const roc = rocCurve(y, s);
    expect(roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(roc.thresholds).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
    expect(roc.auc).toBeCloseTo(0.75, 12);
    expect(averagePrecision(y, s)).toBeCloseTo(5 / 6, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 when every score ties', () => {
    expect(rocAuc([0, 0, 1, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
    expect(rocAuc([0, 1, 0, 1, 1], [0.5, 0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  it('gives tied pairs half credit', () => {
    // Pairs (pos, neg): (0.5, 0.5) tie → ½, (0.5, 0.2) → 1, (0.9, 0.5) → 1, (0.9, 0.2) → 1: 3.5 / 4.
    expect(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.2])).toBeCloseTo(0.875, 12);
  });

  it('is near 0.5 for random scores', () => {
    let state = 12345;
    const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const labels = Array.from({ length: 4000 }, () => (rand() < 0.3 ? 1 : 0));
    const scores = labels.map(() => rand());
    expect(Math.abs(rocAuc(labels, scores) - 0.5)).toBeLessThan(0.03);
  });

  it('equals the Mann–Whitney pair count for any labels and scores (ties ½)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 6 })), { minLength: 2, maxLength: 40 }), (rows) => {
        const labels = rows.map(([l]) => l);
        const scores = rows.map(([, v]) => v / 6);
        const pos = scores.filter((_, i) => labels[i] === 1);
        const neg = scores.filter((_, i) => labels[i] === 0);
        fc.pre(pos.length > 0 && neg.length > 0);
        let wins = 0;
        for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
        expect(rocAuc(labels, scores)).toBeCloseTo(wins / (pos.length * neg.length), 10);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('refuses a single class and non-binary labels', () => {
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow('needs both classes');
    expect(() => rocAuc([0, 2], [0.2, 0.3])).toThrow('true label 2 at example 1 is not 0 or 1');
  });
});

describe('precision-recall curve', () => {
  it('steps through distinct thresholds with hand-computed values', () => {
    const pr = precisionRecallCurve([1, 0, 1, 1, 0], [0.9, 0.8, 0.7, 0.7, 0.1]);
    expect(pr.thresholds).toEqual([0.9, 0.8, 0.7, 0.1]);
    expect(pr.precision).toEqual([1, 0.5, 0.75, 0.6]);
    expect(pr.recall).toEqual([1 / 3, 1 / 3, 1, 1]);
    // AP = 1/3·1 + 0·0.5 + 2/3·0.75 + 0·0.6
    expect(pr.averagePrecision).toBeCloseTo(1 / 3 + 0.5, 12);
  });

  it('is 1 for a perfect ranking', () => {
    expect(averagePrecision([0, 1, 0, 1], [0.1, 0.8, 0.3, 0.9])).toBe(1);
  });
});

describe('evaluateClassifier', () => {
  it('thresholds binary probabilities and adds the ROC and PR curves', () => {
    const e = evaluateClassifier([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 2);
    expect(e.confusion).toEqual([
      [2, 0],
      [1, 1],
    ]);
    expect(e.roc?.auc).toBeCloseTo(0.75, 12);
    expect(e.pr?.averagePrecision).toBeCloseTo(5 / 6, 12);
  });

  it('takes the arg max of multiclass score rows', () => {
    const e = evaluateClassifier([0, 1, 2], [0.8, 0.1, 0.1, 0.2, 0.3, 0.5, 0, 0, 1], 3);
    expect(e.accuracy).toBeCloseTo(2 / 3, 12);
    expect(e.roc).toBeUndefined();
  });
});

describe('regression report', () => {
  it("matches scikit-learn's documented example", () => {
    const r = regressionReport([3, -0.5, 2, 7], [2.5, 0, 2, 8]);
    expect(r.mae).toBeCloseTo(0.5, 12);
    expect(r.mse).toBeCloseTo(0.375, 12);
    expect(r.rmse).toBeCloseTo(Math.sqrt(0.375), 12);
    expect(r.r2).toBeCloseTo(0.9486081370449679, 12);
  });

  it('gives R² 1 for exact predictions, 0 for predicting the mean, and handles constant targets', () => {
    expect(regressionReport([1, 2, 3], [1, 2, 3]).r2).toBe(1);
    expect(regressionReport([1, 2, 3], [2, 2, 2]).r2).toBe(0);
    expect(regressionReport([4, 4], [4, 4]).r2).toBe(1);
    expect(regressionReport([4, 4], [3, 5]).r2).toBe(0);
  });
});
