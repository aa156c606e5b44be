'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { AttributeSection, FairnessReport } from '@/lib/fairness/metrics';
import type { CurvePoint } from '@/lib/fairness/thresholds';
import type { ThresholdOptimizerResult } from '@/lib/fairness/mitigation';
import { CommentButton } from '../../../../../../_components/reviews/comment-anchors';
import { Badge, Card, CardHeader, cn } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '—' : v.toFixed(d));

type Interval = { path: string[]; lower: number | null; upper: number | null };

/** "45.9% (43.1–48.7)": the value with its bootstrap interval when there is one. */
function withCi(value: number | null | undefined, ci: Interval | undefined, asPct = true) {
  const f = (v: number | null | undefined) => (asPct ? pct(v) : num(v));
  return (
    <>
      {f(value)}
      {ci && ci.lower !== null && ci.upper !== null ? (
        <span className="text-slate-400">
          {' '}
          ({asPct ? (ci.lower * 100).toFixed(1) : ci.lower.toFixed(3)}–{asPct ? `${(ci.upper * 100).toFixed(1)}` : ci.upper.toFixed(3)})
        </span>
      ) : null}
    </>
  );
}

function GroupTable({ section, intervals }: { section: AttributeSection; intervals: Interval[] }) {
  const ci = (group: string, key: string) => intervals.find((i) => i.path.length === 5 && i.path[1] === section.attribute && i.path[3] === group && i.path[4] === key);
  return (
    <table className="w-full text-xs" data-testid={`fairness-groups-${section.attribute}`}>
      <thead className="text-left text-slate-500">
        <tr>
          <th className="py-1">{section.attribute}</th>
          <th className="text-right">n</th>
          <th className="text-right">base rate</th>
          <th className="text-right">selection</th>
          <th className="text-right">TPR</th>
          <th className="text-right">FPR</th>
          <th className="text-right">accuracy</th>
        </tr>
      </thead>
      <tbody>
        {section.groups.map((g) => (
          <tr key={g.group} className={cn(g.count === 0 && 'text-slate-400')}>
            <td className="py-0.5">
              {g.group} <CommentButton anchor={{ kind: 'group-row', key: `${section.attribute}/${g.group}` }} />
            </td>
            <td className="text-right font-mono">{g.count}</td>
            <td className="text-right font-mono">{pct(g.base_rate)}</td>
            <td className="text-right font-mono">{withCi(g.selection_rate, ci(g.group, 'selection_rate'))}</td>
            <td className="text-right font-mono">{withCi(g.tpr, ci(g.group, 'tpr'))}</td>
            <td className="text-right font-mono">{withCi(g.fpr, ci(g.group, 'fpr'))}</td>
            <td className="text-right font-mono">{withCi(g.accuracy, ci(g.group, 'accuracy'))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The run's fairness report (per group, disparities, threshold slider, mitigation) and its explainability summary. */
export function RunReports({ teamId, runId }: { teamId: string; runId: string }) {
  const trpc = useTRPC();
  const report = useQuery(trpc.runs.report.queryOptions({ teamId, runId }));
  const [t, setT] = useState(0.5);
  if (!report.data || (!report.data.fairness && !report.data.explain)) return null;
  const f = report.data.fairness;
  const ex = report.data.explain;
  const r = f?.report as FairnessReport | undefined;
  const curve = (f?.curve ?? []) as CurvePoint[];
  const at = curve.length ? curve.reduce((best, p) => (Math.abs(p.threshold - t) < Math.abs(best.threshold - t) ? p : best)) : null;
  const intervals = (f?.bootstrap?.intervals ?? []) as Interval[];
  const dci = (attr: string, key: string) => intervals.find((i) => i.path.length === 4 && i.path[1] === attr && i.path[2] === 'between_groups' && i.path[3] === key);
  const dp = f?.mitigation?.demographic_parity as (ThresholdOptimizerResult & { fittedOn?: string }) | undefined;
  const perm = ex?.permutation?.features.slice().sort((a, b) => b.mean - a.mean).slice(0, 12) ?? [];
  const maxImp = Math.max(1e-9, ...perm.map((p) => p.mean));
  return (
    <div className="mb-5 space-y-5">
      {r && f?.task === 'binary' ? (
        <Card data-testid="fairness-report">
          <CardHeader title="Fairness" description={`Test split, decision threshold ${f.threshold}; 95 % bootstrap intervals from ${f.bootstrap?.resamples} resamples in brackets.`} />
          <div className="space-y-4 p-5">
            {r.attributes.map((s) => (
              <div key={s.attribute} className="space-y-2">
                <div className="flex flex-wrap gap-2 text-xs">
                  <Badge tone={(s.between_groups.demographic_parity_ratio ?? 1) < 0.8 ? 'amber' : 'green'}>
                    DP difference {withCi(s.between_groups.demographic_parity_difference, dci(s.attribute, 'demographic_parity_difference'), false)} · ratio {num(s.between_groups.demographic_parity_ratio)}
                  </Badge>
                  <CommentButton anchor={{ kind: 'disparity', key: `${s.attribute}/demographic_parity_difference` }} />
                  <Badge tone={(s.between_groups.equalized_odds_difference ?? 0) > 0.1 ? 'amber' : 'green'}>
                    EO difference {withCi(s.between_groups.equalized_odds_difference, dci(s.attribute, 'equalized_odds_difference'), false)} · ratio {num(s.between_groups.equalized_odds_ratio)}
                  </Badge>
                  <CommentButton anchor={{ kind: 'disparity', key: `${s.attribute}/equalized_odds_difference` }} />
                </div>
                <GroupTable section={s} intervals={intervals} />
              </div>
            ))}
            {at ? (
              <div className="rounded-md border border-slate-200 p-3 text-sm" data-testid="threshold-slider">
                <div className="flex items-center gap-2">
                  <label className="flex items-center gap-3">
                    Threshold
                    <input type="range" min={0} max={1} step={0.01} value={t} onChange={(e) => setT(Number(e.target.value))} aria-label="Decision threshold" />
                    <span className="font-mono">{at.threshold.toFixed(2)}</span>
                  </label>
                  <CommentButton anchor={{ kind: 'chart', key: 'threshold-curve' }} />
                </div>
                <p className="mt-1 text-xs text-slate-600" data-testid="threshold-values">
                  accuracy {pct(at.accuracy)} · DP difference {num(at.demographic_parity_difference)} · EO difference {num(at.equalized_odds_difference)} · selection {Object.entries(at.selection_rate).map(([g, v]) => `${g} ${pct(v)}`).join(', ')}
                </p>
              </div>
            ) : null}
            <p className="text-xs">
              Export:{' '}
              <a className="text-brand-700 hover:underline" href={`/api/runs/${runId}/report?format=json`}>
                JSON
              </a>{' '}
              ·{' '}
              <a className="text-brand-700 hover:underline" href={`/api/runs/${runId}/report?format=csv`}>
                CSV
              </a>
            </p>
            {dp ? (
              <p className="text-xs text-slate-600" data-testid="mitigation">
                Post-processing (per-group thresholds fitted on the {dp.fittedOn ?? 'test'} split, measured on the test split, demographic parity): DP difference {num(dp.before.attributes[0]?.between_groups.demographic_parity_difference)} → {num(dp.after.attributes[0]?.between_groups.demographic_parity_difference)}, accuracy{' '}
                {pct(dp.before.overall.accuracy)} → {pct(dp.after.overall.accuracy)} (thresholds {dp.thresholds.map((g) => `${g.group} ${Number.isFinite(g.threshold) ? g.threshold.toFixed(3) : '∞'}`).join(', ')})
              </p>
            ) : null}
          </div>
        </Card>
      ) : null}
      {ex ? (
        <Card data-testid="explain-report">
          <CardHeader title="What drives predictions" description={ex.permutation ? `Permutation importance on ${ex.permutation.rows} test rows, ${ex.permutation.repeats} repeats (drop in ${ex.permutation.score}).` : 'Explainability'} />
          <div className="space-y-1 p-5 text-xs">
            {perm.map((p) => (
              <div key={p.name} className="flex items-center gap-2">
                <span className="w-40 truncate" title={p.name}>
                  {p.name}
                </span>
                <span className="h-2 rounded bg-brand-500/70" style={{ width: `${Math.max(2, (Math.max(0, p.mean) / maxImp) * 200)}px` }} />
                <span className="font-mono text-slate-500">
                  {p.mean.toFixed(4)} ± {p.std.toFixed(4)}
                </span>
                <CommentButton anchor={{ kind: 'attribution', key: `permutation/${p.name}` }} />
              </div>
            ))}
            {ex.integratedGradients ? (
              <p className="pt-2 text-slate-500">
                Integrated gradients: {ex.integratedGradients.examples.length} examples, {ex.integratedGradients.steps} steps ({ex.integratedGradients.rule}); largest completeness gap{' '}
                {Math.max(0, ...ex.integratedGradients.examples.flatMap((e) => e.outputs.map((o) => Math.abs(o.relativeDelta ?? 0)))).toExponential(1)} of |f(x) − f(baseline)|.
              </p>
            ) : null}
            {ex.groups.flatMap((g) => g.proxies.filter((p) => p.flag === 'proxy').map((p) => ({ attr: g.attribute, ...p }))).length ? (
              <p className="pt-1 text-amber-700">
                Possible proxies:{' '}
                {ex.groups
                  .flatMap((g) => g.proxies.filter((p) => p.flag === 'proxy').map((p) => `${p.feature} (for ${g.attribute})`))
                  .join(', ')}
              </p>
            ) : null}
          </div>
        </Card>
      ) : null}
    </div>
  );
}
