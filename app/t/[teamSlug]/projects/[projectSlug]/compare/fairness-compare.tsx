'use client';

import { useQuery } from '@tanstack/react-query';
import { paretoFront } from '@/lib/charts/pareto';
import { DISPARITY_METRICS } from '@/lib/fairness/metrics';
import { GateBadge } from '../../../../../_components/runs/gate-badge';
import { ParetoScatter } from '../../../../../_components/runs/pareto-scatter';
import { Card, CardHeader, ChoiceSelect, THead } from '../../../../../_components/ui';
import { useTRPC } from '../../../../../_trpc/client';

type Metric = (typeof DISPARITY_METRICS)[number];
const VARIANT_LABEL = { model: 'model', demographic_parity: 'post-processed for demographic parity', equal_opportunity: 'post-processed for equal opportunity' } as const;
const VARIANT_SHAPE = { model: 'circle', demographic_parity: 'triangle', equal_opportunity: 'diamond' } as const;
const fmt = (v: number | null | undefined, d = 3) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));

/** Accuracy against a chosen disparity across runs (and their post-processed variants), with the Pareto front. */
export function FairnessCompare(props: {
  teamId: string;
  runIds: string[];
  colorOf: (id: string) => string;
  attribute: string | null;
  metric: string | null;
  onChange: (key: 'fattr' | 'fmetric', value: string) => void;
}) {
  const { teamId, runIds, colorOf, onChange } = props;
  const trpc = useTRPC();
  const q = useQuery(trpc.runs.compareFairness.queryOptions({ teamId, runIds }));
  if (!q.data) return null;
  const withReport = q.data.filter((r) => r.hasReport);
  if (!withReport.length) {
    return (
      <Card data-testid="fairness-compare">
        <CardHeader title="Fairness across runs" description="None of these runs has a fairness report (a binary task with a sensitive attribute)." />
      </Card>
    );
  }
  const attributes = [...new Set(withReport.flatMap((r) => r.attributes))];
  const attribute = props.attribute && attributes.includes(props.attribute) ? props.attribute : attributes[0]!;
  const metric = (props.metric && (DISPARITY_METRICS as readonly string[]).includes(props.metric) ? props.metric : 'demographic_parity_difference') as Metric;
  const lowerIsBetter = metric.endsWith('_difference');
  const points = withReport.flatMap((r) =>
    r.points.map((p) => {
      const d = p.disparities[attribute]?.[metric] ?? null;
      const ci = p.intervals[attribute]?.[metric];
      return {
        id: `${r.id}:${p.variant}`,
        runId: r.id,
        variant: p.variant,
        label: `#${r.number} ${r.name}${p.variant === 'model' ? '' : ` (${VARIANT_LABEL[p.variant]})`}`,
        x: d ?? Number.NaN,
        y: p.accuracy ?? Number.NaN,
        xInterval: d !== null ? ci : undefined,
      };
    }),
  );
  const front = paretoFront(points, { x: lowerIsBetter ? 'min' : 'max', y: 'max' });
  return (
    <Card data-testid="fairness-compare">
      <CardHeader
        title="Fairness across runs"
        description={`Test accuracy against ${metric} for '${attribute}' (${lowerIsBetter ? 'lower' : 'closer to 1'} is fairer). Circles: the runs' models with 95 % bootstrap intervals; triangles and diamonds: the same models post-processed with per-group thresholds. Ringed: the Pareto front.`}
      />
      <div className="flex flex-wrap gap-2 px-4 pt-3">
        <ChoiceSelect label="Sensitive attribute" prefix="attribute" value={attribute} choices={attributes} onChange={(v) => onChange('fattr', v)} />
        <ChoiceSelect label="Disparity" prefix="x" value={metric} choices={DISPARITY_METRICS} onChange={(v) => onChange('fmetric', v)} />
      </div>
      <div className="grid gap-4 p-4 lg:grid-cols-2">
        <div data-testid="fairness-pareto">
          <ParetoScatter
            points={points.map((p) => ({ ...p, color: colorOf(p.runId), shape: VARIANT_SHAPE[p.variant], opacity: p.variant === 'model' ? 1 : 0.55 }))}
            front={front}
            xName={metric}
            yName="accuracy"
            axisLabels
            height={300}
          />
          <p className="text-xs text-slate-500" data-testid="fairness-front">
            On the front:{' '}
            {points
              .filter((p) => front.has(p.id))
              .map((p) => p.label)
              .join('; ') || '—'}
          </p>
        </div>
        <table className="w-full self-start text-xs" data-testid="fairness-compare-table">
          <THead>
            <tr>
              <th className="px-2 py-1.5 font-medium">Run</th>
              <th className="px-2 py-1.5 text-right font-medium">accuracy</th>
              <th className="px-2 py-1.5 text-right font-medium">{metric.replaceAll('_', ' ')}</th>
              <th className="px-2 py-1.5 font-medium">gates</th>
            </tr>
          </THead>
          <tbody className="divide-y divide-slate-100">
            {q.data.map((r) => {
              const model = r.points.find((p) => p.variant === 'model');
              const ci = model?.intervals[attribute]?.[metric];
              return (
                <tr key={r.id}>
                  <td className="px-2 py-1.5">
                    <span className="mr-1.5 inline-block h-2.5 w-2.5 rounded-full" style={{ background: colorOf(r.id) }} />#{r.number} {r.name}
                    {r.points
                      .filter((p) => p.variant !== 'model')
                      .map((p) => (
                        <div key={p.variant} className="flex justify-between gap-2 whitespace-nowrap pl-4 text-slate-500" title={VARIANT_LABEL[p.variant]}>
                          <span>↳ {p.variant === 'demographic_parity' ? 'DP thresholds' : 'EOpp thresholds'}</span>
                          <span className="font-mono">
                            {fmt(p.accuracy)} · {fmt(p.disparities[attribute]?.[metric])}
                          </span>
                        </div>
                      ))}
                  </td>
                  <td className="px-2 py-1.5 text-right align-top font-mono">{fmt(model?.accuracy)}</td>
                  <td className="px-2 py-1.5 text-right align-top font-mono">
                    {r.hasReport ? fmt(model?.disparities[attribute]?.[metric]) : 'no report'}
                    {ci ? (
                      <span className="text-slate-400">
                        {' '}
                        ({fmt(ci[0])}–{fmt(ci[1])})
                      </span>
                    ) : null}
                  </td>
                  <td className="px-2 py-1.5 align-top">
                    <GateBadge gates={r.gates.status === null ? null : { status: r.gates.status, failed: r.gates.results.filter((g) => !g.passed).map((g) => g.description) }} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
