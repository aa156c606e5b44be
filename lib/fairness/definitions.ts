/**
 * Every figure of a fairness report with its formula, in one place: the report page shows them
 * and the README's "Fairness formulas" table repeats them (a unit test keeps the two equal).
 * Notation: for a group g, TP/FP/TN/FN count its test rows; ŷ is the prediction at the threshold.
 */
export interface Definition {
  key: string;
  name: string;
  formula: string;
  /** Whose definition we follow. */
  source: 'Fairlearn' | 'AIF360' | 'standard' | 'Kamiran & Calders 2012' | 'Hardt et al. 2016' | 'Speicher et al. 2018' | 'Sundararajan et al. 2017' | 'Breiman 2001';
}

export const GROUP_METRIC_DEFINITIONS: Definition[] = [
  { key: 'base_rate', name: 'Base rate', formula: '(TP + FN) / n', source: 'standard' },
  { key: 'selection_rate', name: 'Selection rate', formula: '(TP + FP) / n', source: 'standard' },
  { key: 'accuracy', name: 'Accuracy', formula: '(TP + TN) / n', source: 'standard' },
  { key: 'tpr', name: 'True positive rate (recall)', formula: 'TP / (TP + FN)', source: 'standard' },
  { key: 'fpr', name: 'False positive rate', formula: 'FP / (FP + TN)', source: 'standard' },
  { key: 'fnr', name: 'False negative rate', formula: 'FN / (TP + FN)', source: 'standard' },
  { key: 'tnr', name: 'True negative rate', formula: 'TN / (FP + TN)', source: 'standard' },
  { key: 'precision', name: 'Precision', formula: 'TP / (TP + FP)', source: 'standard' },
  { key: 'fdr', name: 'False discovery rate', formula: 'FP / (TP + FP)', source: 'standard' },
  { key: 'for', name: 'False omission rate', formula: 'FN / (FN + TN)', source: 'standard' },
];

export const DISPARITY_DEFINITIONS: Definition[] = [
  { key: 'demographic_parity_difference', name: 'Demographic parity difference', formula: 'max_g SR(g) − min_g SR(g)  (to_overall: max_g |SR(g) − SR(all)|)', source: 'Fairlearn' },
  { key: 'demographic_parity_ratio', name: 'Demographic parity ratio', formula: 'min_g SR(g) / max_g SR(g)  (to_overall: min_g min(SR(g)/SR(all), SR(all)/SR(g)))', source: 'Fairlearn' },
  { key: 'equalized_odds_difference', name: 'Equalized odds difference', formula: 'max(TPR difference, FPR difference)', source: 'Fairlearn' },
  { key: 'equalized_odds_ratio', name: 'Equalized odds ratio', formula: 'min(TPR ratio, FPR ratio)', source: 'Fairlearn' },
  { key: 'equal_opportunity_difference', name: 'Equal opportunity difference', formula: 'max_g TPR(g) − min_g TPR(g)', source: 'Fairlearn' },
  { key: 'equal_opportunity_ratio', name: 'Equal opportunity ratio', formula: 'min_g TPR(g) / max_g TPR(g)', source: 'Fairlearn' },
  { key: 'disparate_impact', name: 'Disparate impact', formula: 'SR(unprivileged) / SR(privileged)', source: 'AIF360' },
  { key: 'statistical_parity_difference', name: 'Statistical parity difference', formula: 'SR(unprivileged) − SR(privileged)', source: 'AIF360' },
  { key: 'average_odds_difference', name: 'Average odds difference', formula: '½ [(FPR(u) − FPR(p)) + (TPR(u) − TPR(p))]', source: 'AIF360' },
  { key: 'aif360_equal_opportunity_difference', name: 'Equal opportunity difference (AIF360)', formula: 'TPR(unprivileged) − TPR(privileged)', source: 'AIF360' },
  {
    key: 'generalized_entropy_index',
    name: 'Generalized entropy index',
    formula: 'GE(α) = 1/(n α (α−1)) Σ_i [(b_i/μ)^α − 1],  b_i = ŷ_i − y_i + 1,  α = 2 by default',
    source: 'Speicher et al. 2018',
  },
  { key: 'theil_index', name: 'Theil index', formula: 'GE(1) = 1/n Σ_i (b_i/μ) ln(b_i/μ)', source: 'Speicher et al. 2018' },
];

export const METHOD_DEFINITIONS: Definition[] = [
  { key: 'bootstrap', name: 'Bootstrap interval', formula: 'percentile interval over R seeded resamples of the test rows (R = 200, 95 %)', source: 'standard' },
  { key: 'reweighing', name: 'Reweighing', formula: 'w(s, y) = P(s) · P(y) / P(s, y) on the training split', source: 'Kamiran & Calders 2012' },
  {
    key: 'threshold_optimizer',
    name: 'Post-processing',
    formula: 'per-group thresholds maximising accuracy subject to max−min of the constrained rate ≤ 0.02, fitted on validation',
    source: 'Hardt et al. 2016',
  },
  { key: 'permutation', name: 'Permutation importance', formula: 'score(test) − mean_r score(test with the feature’s columns shuffled), seeded repeats', source: 'Breiman 2001' },
  {
    key: 'integrated_gradients',
    name: 'Integrated gradients',
    formula: '(x_i − x′_i) · ∫₀¹ ∂f(x′ + α(x − x′))/∂x_i dα;  completeness δ = Σ_i IG_i − (f(x) − f(x′))',
    source: 'Sundararajan et al. 2017',
  },
];

export const ALL_DEFINITIONS = [...GROUP_METRIC_DEFINITIONS, ...DISPARITY_DEFINITIONS, ...METHOD_DEFINITIONS];
