import type { FairnessReport } from './metrics';

/** A fairness report as CSV: one row per attribute and group, then one per disparity. */
export function fairnessReportCsv(report: FairnessReport): string {
  const rateKeys = ['count', 'base_rate', 'selection_rate', 'accuracy', 'tpr', 'fpr', 'fnr', 'tnr', 'precision', 'fdr', 'for'] as const;
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [['section', 'attribute', 'group', ...rateKeys].join(',')];
  lines.push(['overall', '', '', ...rateKeys.map((k) => esc((report.overall as unknown as Record<string, unknown>)[k]))].join(','));
  for (const s of report.attributes) {
    for (const g of s.groups) lines.push(['group', esc(s.attribute), esc(g.group), ...rateKeys.map((k) => esc((g as unknown as Record<string, unknown>)[k]))].join(','));
  }
  lines.push('');
  lines.push('section,attribute,method,metric,value');
  for (const s of report.attributes) {
    for (const method of ['between_groups', 'to_overall'] as const) {
      for (const [metric, value] of Object.entries(s[method])) lines.push(['disparity', esc(s.attribute), method, metric, esc(value)].join(','));
    }
  }
  return lines.join('\n') + '\n';
}
