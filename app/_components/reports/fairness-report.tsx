'use client';

import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DISPARITY_DEFINITIONS } from '@/lib/fairness/definitions';
import { DISPARITY_METRICS, type AttributeSection, type GroupEntry } from '@/lib/fairness/metrics';
import type { RegressionReport } from '@/lib/fairness/regression';
import type { CurvePoint } from '@/lib/fairness/thresholds';
import type { FairnessRunReport, StoredFairnessMetrics, StoredMitigation } from '@/lib/schemas/run-documents';
import type { RunGates } from '@/server/services/gates';
import { CommentButton } from '../reviews/comment-anchors';
import { Badge, Card, CardHeader, cn, Select } from '../ui';
import { Definitions } from './definitions';
import { disparityInterval, groupInterval, heat, num, pct, type Interval } from './format';

const GROUP_METRICS = ['selection_rate', 'accuracy', 'tpr', 'fpr', 'fnr', 'tnr', 'precision', 'fdr', 'for'] as const;
type GroupMetric = (typeof GROUP_METRICS)[number];
const LABEL: Record<GroupMetric | 'base_rate', string> = {
  base_rate: 'base rate',
  selection_rate: 'selection rate',
  accuracy: 'accuracy',
  tpr: 'TPR',
  fpr: 'FPR',
  fnr: 'FNR',
  tnr: 'TNR',
  precision: 'precision',
  fdr: 'FDR',
  for: 'FOR',
};
const disparityName = (key: string) => DISPARITY_DEFINITIONS.find((d) => d.key === key)?.name ?? key;

function WithCi({ value, ci, asPct = true, stacked = false }: { value: number | null | undefined; ci?: Interval; asPct?: boolean; stacked?: boolean }) {
  const f = (v: number | null | undefined) => (asPct ? pct(v) : num(v));
  return (
    <>
      {f(value)}
      {ci && ci.lower !== null && ci.upper !== null ? (
        <span className={cn('text-slate-400', stacked && 'block text-[10px] leading-tight')}>
          {' '}
          ({asPct ? (ci.lower * 100).toFixed(1) : ci.lower.toFixed(3)}–{asPct ? (ci.upper * 100).toFixed(1) : ci.upper.toFixed(3)})
        </span>
      ) : null}
    </>
  );
}

export function GateSummary({ gates }: { gates: RunGates }) {
  if (gates.status === null) return null;
  const tone = gates.status === 'pass' ? 'green' : gates.status === 'fail' ? 'red' : 'amber';
  return (
    <div className="rounded-md border border-slate-200 p-3 text-xs" data-testid="gate-summary" data-status={gates.status}>
      <p className="mb-1.5 font-medium">
        Team fairness policy: <Badge tone={tone}>{gates.status === 'none' ? 'no report' : gates.status === 'undefined' ? 'unmeasurable' : gates.status}</Badge>
      </p>
      <ul className="space-y-0.5">
        {gates.results.map((r) => (
          <li key={r.ruleId} className={cn(r.status === 'fail' ? 'text-red-700' : r.status === 'undefined' ? 'text-amber-700' : 'text-emerald-700')}>
            {r.status === 'pass' ? '✓' : r.status === 'fail' ? '✗' : '?'} {r.name !== r.description ? `${r.name}: ` : ''}
            <span className="font-mono">{r.description}</span> — measured {num(r.value, 4)}
            {r.reason ? ` (${r.reason})` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

function DisparityTable({ section, intervals }: { section: AttributeSection; intervals: Interval[] }) {
  return (
    <table className="w-full text-xs" data-testid={`fairness-disparities-${section.attribute}`}>
      <thead className="text-left text-slate-500">
        <tr>
          <th className="py-1">Disparity ({section.attribute})</th>
          <th className="text-right">between groups</th>
          <th className="text-right">to overall</th>
        </tr>
      </thead>
      <tbody>
        {DISPARITY_METRICS.map((m) => (
          <tr key={m} title={DISPARITY_DEFINITIONS.find((d) => d.key === m)?.formula}>
            <td className="py-0.5">
              {disparityName(m)} <CommentButton anchor={{ kind: 'disparity', key: `${section.attribute}/${m}` }} />
            </td>
            <td className="whitespace-nowrap pl-3 text-right font-mono">
              <WithCi value={section.between_groups[m]} ci={disparityInterval(intervals, section.attribute, 'between_groups', m)} asPct={false} />
            </td>
            <td className="whitespace-nowrap pl-3 text-right font-mono">
              <WithCi value={section.to_overall[m]} ci={disparityInterval(intervals, section.attribute, 'to_overall', m)} asPct={false} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function GroupTable({ section, intervals }: { section: AttributeSection; intervals: Interval[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-xs" data-testid={`fairness-groups-${section.attribute}`}>
        <thead className="text-left text-slate-500">
          <tr>
            <th className="py-1">{section.attribute}</th>
            <th className="pl-3 text-right">n</th>
            <th className="whitespace-nowrap pl-3 text-right">{LABEL.base_rate}</th>
            {GROUP_METRICS.map((m) => (
              <th key={m} className="whitespace-nowrap pl-3 text-right">
                {LABEL[m]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {section.groups.map((g) => (
            <tr key={g.group} className={cn(g.count === 0 && 'text-slate-400')} data-group={g.group}>
              <td className="py-1 pr-2 align-top">
                {g.group} <CommentButton anchor={{ kind: 'group-row', key: `${section.attribute}/${g.group}` }} />
              </td>
              <td className="pl-3 text-right align-top font-mono">{g.count === 0 ? 'empty' : g.count}</td>
              <td className="pl-3 text-right align-top font-mono">{pct(g.base_rate)}</td>
              {GROUP_METRICS.map((m) => (
                <td key={m} className="whitespace-nowrap pl-3 text-right align-top font-mono">
                  <WithCi value={g[m]} ci={groupInterval(intervals, section.attribute, g.group, m)} stacked />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One bar per group for the chosen metric, with its bootstrap interval as an error bar. */
function GroupBars({ section, intervals, metric, overall }: { section: AttributeSection; intervals: Interval[]; metric: GroupMetric; overall: number | null }) {
  const data = section.groups
    .filter((g) => g.count > 0)
    .map((g) => {
      const v = g[metric];
      const ci = groupInterval(intervals, section.attribute, g.group, metric);
      return { group: g.group, value: v, err: v !== null && ci && ci.lower !== null && ci.upper !== null ? [v - ci.lower, ci.upper - v] : [0, 0] };
    });
  return (
    <div data-testid={`fairness-bars-${section.attribute}`} className="relative">
      <span className="absolute right-0 top-0 z-10">
        <CommentButton anchor={{ kind: 'chart', key: `group-bars/${section.attribute}/${metric}` }} />
      </span>
      <ResponsiveContainer width="100%" height={Math.max(160, 40 + data.length * 28)}>
        <BarChart data={data} layout="vertical" margin={{ top: 5, right: 30, bottom: 5, left: 10 }}>
          <CartesianGrid stroke="#f1f5f9" horizontal={false} />
          <XAxis type="number" domain={[0, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} tick={{ fontSize: 11 }} />
          <YAxis type="category" dataKey="group" width={120} tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v) => pct(Number(v))} />
          {overall !== null ? <ReferenceLine x={overall} stroke="#64748b" strokeDasharray="4 3" label={{ value: 'overall', fontSize: 10, position: 'top' }} /> : null}
          <Bar dataKey="value" name={LABEL[metric]} fill="#4f6bed" isAnimationActive={false}>
            <ErrorBar dataKey="err" direction="x" width={4} stroke="#1e293b" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Intersection of two or more attributes: rows = the first attribute's values, columns = the rest. */
export function IntersectionHeatmap({ section, metric }: { section: AttributeSection; metric: GroupMetric }) {
  const [first, ...rest] = section.features;
  const key = (g: GroupEntry) => rest.map((f) => g.values[f]).join(' | ');
  const rows = [...new Set(section.groups.map((g) => g.values[first!]!))];
  const cols = [...new Set(section.groups.map(key))];
  const cell = (r: string, c: string) => section.groups.find((g) => g.values[first!] === r && key(g) === c);
  return (
    <div className="overflow-x-auto" data-testid="intersection-heatmap">
      <table className="text-xs">
        <thead>
          <tr>
            <th className="p-1 text-left text-slate-500">
              {first} ↓ · {rest.join(' | ')} →
            </th>
            {cols.map((c) => (
              <th key={c} className="p-1 font-medium">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r}>
              <th className="p-1 text-left font-medium">{r}</th>
              {cols.map((c) => {
                const g = cell(r, c);
                const v = g && g.count > 0 ? g[metric] : null;
                return (
                  <td
                    key={c}
                    className="h-12 w-24 border border-white p-1 text-center font-mono"
                    style={{ background: heat(v), color: v !== null && v > 0.55 ? 'white' : '#0f172a' }}
                    title={g ? `${g.group}: n = ${g.count}` : 'no such group'}
                  >
                    {!g || g.count === 0 ? <span className="text-slate-400">empty</span> : pct(v)}
                    {g && g.count > 0 ? <div className="text-[10px] opacity-70">n={g.count}</div> : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ThresholdExplorer({ curve, threshold, onThreshold }: { curve: CurvePoint[]; threshold: number; onThreshold: (t: number) => void }) {
  const at = curve.reduce((best, p) => (Math.abs(p.threshold - threshold) < Math.abs(best.threshold - threshold) ? p : best));
  return (
    <div className="rounded-md border border-slate-200 p-3 text-sm" data-testid="threshold-slider">
      <label className="flex items-center gap-3">
        Decision threshold
        <input type="range" min={0} max={1} step={0.01} value={threshold} onChange={(e) => onThreshold(Number(e.target.value))} aria-label="Decision threshold" className="print:hidden" />
        <span className="font-mono">{at.threshold.toFixed(2)}</span>
        <CommentButton anchor={{ kind: 'chart', key: 'threshold-curve' }} />
      </label>
      <p className="mt-1 text-xs text-slate-600" data-testid="threshold-values">
        accuracy {pct(at.accuracy)} · DP difference {num(at.demographic_parity_difference)} · EO difference {num(at.equalized_odds_difference)} · selection{' '}
        {Object.entries(at.selection_rate)
          .map(([g, v]) => `${g} ${pct(v)}`)
          .join(', ')}
      </p>
      <div className="mt-2" data-testid="threshold-curve">
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={curve} margin={{ top: 5, right: 20, bottom: 5, left: 0 }}>
            <CartesianGrid stroke="#f1f5f9" />
            <XAxis dataKey="threshold" type="number" domain={[0, 1]} tick={{ fontSize: 11 }} />
            <YAxis domain={[0, 1]} tick={{ fontSize: 11 }} width={40} />
            <Tooltip formatter={(v) => num(Number(v))} labelFormatter={(l) => `threshold ${Number(l).toFixed(2)}`} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            <ReferenceLine x={at.threshold} stroke="#0f172a" />
            <Line dataKey="accuracy" stroke="#059669" dot={false} isAnimationActive={false} />
            <Line dataKey="demographic_parity_difference" name="DP difference" stroke="#dc2626" dot={false} isAnimationActive={false} />
            <Line dataKey="equalized_odds_difference" name="EO difference" stroke="#d97706" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

type Mitigation = StoredMitigation | null | undefined;

function MitigationTable({ before, dp, eo }: { before: StoredFairnessMetrics; dp: Mitigation; eo: Mitigation }) {
  const rows: { name: string; r: StoredFairnessMetrics; m?: NonNullable<Mitigation> }[] = [{ name: 'Model at threshold 0.5', r: dp?.before ?? before }];
  if (dp) rows.push({ name: 'Post-processed for demographic parity', r: dp.after, m: dp });
  if (eo) rows.push({ name: 'Post-processed for equal opportunity', r: eo.after, m: eo });
  const attr = (r: StoredFairnessMetrics) => r.attributes[0]?.between_groups;
  return (
    <div data-testid="mitigation">
      <table className="w-full text-xs">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="py-1">Test split ({before.attributes[0]?.attribute})</th>
            <th className="text-right">accuracy</th>
            <th className="text-right">DP difference</th>
            <th className="text-right">EO difference</th>
            <th className="text-right">EOpp difference</th>
            <th className="pl-3">per-group thresholds</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ name, r, m }) => (
            <tr key={name}>
              <td className="py-0.5">{name}</td>
              <td className="text-right font-mono">{pct(r.overall.accuracy)}</td>
              <td className="text-right font-mono">{num(attr(r)?.demographic_parity_difference)}</td>
              <td className="text-right font-mono">{num(attr(r)?.equalized_odds_difference)}</td>
              <td className="text-right font-mono">{num(attr(r)?.equal_opportunity_difference)}</td>
              <td className="pl-3 font-mono text-slate-600">
                {m ? m.thresholds.map((g) => `${g.group} ${g.threshold !== null && Number.isFinite(g.threshold) ? g.threshold.toFixed(3) : '∞'}`).join(', ') : '0.5 for all'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-1 text-xs text-slate-500">
        Thresholds fitted on the {dp?.fittedOn ?? eo?.fittedOn ?? 'validation'} split to maximise accuracy with the constrained rate within 0.02 across groups (as Fairlearn&apos;s ThresholdOptimizer),
        measured on the test split.
      </p>
    </div>
  );
}

function RegressionView({ report }: { report: RegressionReport }) {
  return (
    <div className="space-y-3" data-testid="fairness-regression">
      <p className="text-xs text-slate-600">
        Overall: MAE {num(report.overall.mae)}, RMSE {num(report.overall.rmse)} over {report.overall.count} test rows.
      </p>
      {report.attributes.map((s) => (
        <table key={s.attribute} className="w-full text-xs">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="py-1">{s.attribute}</th>
              <th className="text-right">n</th>
              <th className="text-right">MAE</th>
              <th className="text-right">RMSE</th>
            </tr>
          </thead>
          <tbody>
            {s.groups.map((g) => (
              <tr key={g.group}>
                <td>{g.group}</td>
                <td className="text-right font-mono">{g.count}</td>
                <td className="text-right font-mono">{num(g.mae)}</td>
                <td className="text-right font-mono">{num(g.rmse)}</td>
              </tr>
            ))}
            <tr className="text-slate-600">
              <td colSpan={2}>gap (max − min) · ratio (min / max)</td>
              <td className="text-right font-mono">
                {num(s.mae_difference)} · {num(s.mae_ratio)}
              </td>
              <td className="text-right font-mono">
                {num(s.rmse_difference)} · {num(s.rmse_ratio)}
              </td>
            </tr>
          </tbody>
        </table>
      ))}
    </div>
  );
}

/** The fairness report of one run (or checkpoint): everything the worker computed, readable and printable. */
export function FairnessReportView({
  fairness,
  gates,
  exportBase,
  exportQuery = '',
  print = false,
}: {
  fairness: FairnessRunReport;
  gates: RunGates;
  exportBase?: string;
  exportQuery?: string;
  print?: boolean;
}) {
  const exportHref = (format: string) => `${exportBase}${exportQuery ? `${exportQuery}&` : '?'}format=${format}`;
  const [threshold, setThreshold] = useState(fairness.threshold ?? 0.5);
  const [metric, setMetric] = useState<GroupMetric>('selection_rate');
  const singles = useMemo(() => (fairness.task === 'binary' ? fairness.report.attributes.filter((s) => s.features.length === 1) : []), [fairness]);
  const intersection = fairness.task === 'binary' ? fairness.report.attributes.find((s) => s.features.length > 1) : undefined;

  if (fairness.task === 'regression') {
    return (
      <Card data-testid="fairness-report">
        <CardHeader title="Fairness (regression)" description="Error per group on the test split, and its gaps." />
        <div className="space-y-4 p-5">
          <GateSummary gates={gates} />
          <RegressionView report={fairness.report} />
          <Definitions open={print} />
        </div>
      </Card>
    );
  }
  const r = fairness.report;
  const intervals: Interval[] = fairness.bootstrap?.intervals ?? [];
  const curve: CurvePoint[] = fairness.curve ?? [];
  return (
    <Card data-testid="fairness-report">
      <CardHeader
        title="Fairness"
        description={`Test split of ${r.rows} rows, decision threshold ${fairness.threshold}; 95 % bootstrap intervals from ${fairness.bootstrap?.resamples ?? 0} resamples in brackets.`}
        actions={
          exportBase ? (
            <span className="text-xs print:hidden">
              Export{' '}
              <a className="text-brand-700 hover:underline" href={exportHref('json')}>
                JSON
              </a>{' '}
              ·{' '}
              <a className="text-brand-700 hover:underline" href={exportHref('csv')}>
                CSV
              </a>
            </span>
          ) : undefined
        }
      />
      <div className="space-y-5 p-5">
        <GateSummary gates={gates} />
        <div className="flex flex-wrap items-center gap-2 text-xs print:hidden">
          <span className="text-slate-500">Charts show</span>
          <Select aria-label="Group metric" value={metric} onChange={(e) => setMetric(e.target.value as GroupMetric)} className="w-auto">
            {GROUP_METRICS.map((m) => (
              <option key={m} value={m}>
                {LABEL[m]}
              </option>
            ))}
          </Select>
        </div>
        {singles.map((s) => (
          <section key={s.attribute} className="space-y-3 break-inside-avoid" data-testid={`fairness-section-${s.attribute}`}>
            <h3 className="text-sm font-semibold">{s.attribute}</h3>
            <div className="flex flex-wrap gap-2 text-xs">
              <Badge tone={(s.between_groups.demographic_parity_ratio ?? 1) < 0.8 ? 'amber' : 'green'}>
                DP difference{' '}
                <WithCi value={s.between_groups.demographic_parity_difference} ci={disparityInterval(intervals, s.attribute, 'between_groups', 'demographic_parity_difference')} asPct={false} /> ·
                ratio {num(s.between_groups.demographic_parity_ratio)}
              </Badge>
              <Badge tone={(s.between_groups.equalized_odds_difference ?? 0) > 0.1 ? 'amber' : 'green'}>
                EO difference <WithCi value={s.between_groups.equalized_odds_difference} ci={disparityInterval(intervals, s.attribute, 'between_groups', 'equalized_odds_difference')} asPct={false} />{' '}
                · ratio {num(s.between_groups.equalized_odds_ratio)}
              </Badge>
            </div>
            <div className="grid gap-4 lg:grid-cols-2">
              <GroupBars section={s} intervals={intervals} metric={metric} overall={r.overall[metric]} />
              <DisparityTable section={s} intervals={intervals} />
            </div>
            <GroupTable section={s} intervals={intervals} />
          </section>
        ))}
        {intersection ? (
          <section className="space-y-3 break-inside-avoid" data-testid="fairness-intersection">
            <h3 className="text-sm font-semibold">Intersection: {intersection.attribute}</h3>
            <p className="text-xs text-slate-500">{LABEL[metric]} of every combination; empty combinations are reported as empty, not dropped.</p>
            <IntersectionHeatmap section={intersection} metric={metric} />
            <DisparityTable section={intersection} intervals={intervals} />
          </section>
        ) : null}
        {r.reference ? (
          <section className="text-xs" data-testid="fairness-reference">
            <h3 className="mb-1 text-sm font-semibold">
              Against the privileged group {r.reference.attribute} = {r.reference.reference} (AIF360)
            </h3>
            disparate impact {num(r.reference.pooled.disparate_impact)} · statistical parity difference {num(r.reference.pooled.statistical_parity_difference)} · average odds difference{' '}
            {num(r.reference.pooled.average_odds_difference)} · equal opportunity difference {num(r.reference.pooled.equal_opportunity_difference)}
          </section>
        ) : null}
        <p className="text-xs text-slate-600" data-testid="fairness-individual">
          Individual fairness over all test rows: generalized entropy index (α = {r.individual.alpha}) {num(r.individual.generalized_entropy_index, 4)} · Theil index {num(r.individual.theil_index, 4)}
        </p>
        {curve.length ? <ThresholdExplorer curve={curve} threshold={threshold} onThreshold={setThreshold} /> : null}
        {fairness.mitigation ? <MitigationTable before={r} dp={fairness.mitigation.demographic_parity} eo={fairness.mitigation.equal_opportunity} /> : null}
        <Definitions open={print} />
      </div>
    </Card>
  );
}
