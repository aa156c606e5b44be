import { describe, expect, it } from 'vitest';
import { fairnessReportCsv } from './export';
import { computeFairness } from './metrics';

describe('fairness report CSV', () => {
  it('lists every group with its rates and every disparity (Fairlearn example)', () => {
    const yTrue = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1];
    const yPred = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0];
    const group = 'b,b,a,b,b,c,c,c,a,a,c,a,b,c,c,b,c,c'.split(',');
    const csv = fairnessReportCsv(computeFairness({ yTrue, yPred, sensitive: [{ name: 'group', values: group }] }));
    const rows = csv.split('\n');
    expect(rows[0]).toBe('section,attribute,group,count,base_rate,selection_rate,accuracy,tpr,fpr,fnr,tnr,precision,fdr,for');
    const a = rows.find((r) => r.startsWith('group,group,a,'))!.split(',');
    expect(Number(a[3])).toBe(4);
    expect(Number(a[5])).toBe(0.75);
    expect(rows).toContain('disparity,group,between_groups,demographic_parity_difference,0.25');
    expect(rows).toContain('disparity,group,between_groups,equalized_odds_ratio,0');
  });
});
