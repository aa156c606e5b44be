'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import { flattenConfig, paretoFront } from '@/lib/charts/pareto';
import { ChartControls, MetricChart, colorAt, type ChartOptions } from '../../../../../_components/runs/metric-chart';
import { ParallelCoordinates } from '../../../../../_components/runs/parallel-coordinates';
import { ParetoScatter } from '../../../../../_components/runs/pareto-scatter';
import { Alert, Card, CardHeader, ChoiceSelect, cn, Select, THead } from '../../../../../_components/ui';
import { useTRPC } from '../../../../../_trpc/client';
import { FairnessCompare } from './fairness-compare';

/**
 * A run's colour follows its place in the compared list (the `runs` parameter), so it is the same
 * in every chart, legend and shared link, and no two of the first ten runs share one (a colour
 * from the id's hash let two of three runs collide).
 */
function colorsFor(runIds: string[]): (id: string) => string {
  return (id) => {
    const i = runIds.indexOf(id);
    if (i >= 0) return colorAt(i);
    let h = 0;
    for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return colorAt(h);
  };
}

const summaryKey = (key: string, context: string) => (context === 'train' ? key : `${context}.${key}`);

export function CompareView({ teamId, basePath }: { teamId: string; basePath: string }) {
  const trpc = useTRPC();
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const runIds = (search.get('runs') ?? '').split(',').filter(Boolean);
  const colorOf = colorsFor(runIds);
  const [onlyDiff, setOnlyDiff] = useState(true);
  const [chartOptions, setChartOptions] = useState<ChartOptions>({ smoothing: 0, xMode: 'step' });
  const setParam = (k: string, v: string) => {
    const p = new URLSearchParams(search.toString());
    p.set(k, v);
    router.replace(`${pathname}?${p}`);
  };
  const runs = useQuery({ ...trpc.runs.compare.queryOptions({ teamId, runIds }), enabled: runIds.length > 0 });
  const series = useQuery({ ...trpc.runs.compareSeries.queryOptions({ teamId, runIds, maxPoints: 400 }), enabled: runIds.length > 0 });

  const data = useMemo(() => {
    if (!runs.data) return null;
    const params = runs.data.map((r) => flattenConfig(r.config));
    const paths = [...new Set(params.flatMap((p) => Object.keys(p)))].sort();
    const differs = (path: string) => new Set(params.map((p) => JSON.stringify(p[path] ?? null))).size > 1;
    const summaries = runs.data.map((r) => Object.fromEntries(r.series.map((s) => [summaryKey(s.key, s.context), s.last])));
    const metricKeys = [...new Set(summaries.flatMap((s) => Object.keys(s)))].sort();
    return { params, paths, differs, summaries, metricKeys };
  }, [runs.data]);

  if (runIds.length === 0) return <Alert tone="info">Pick runs in the project&apos;s runs table (tick them) and press Compare.</Alert>;
  if (runs.error) return <Alert>{runs.error.message}</Alert>;
  if (!runs.data || !data) return <p className="text-sm text-slate-500">Loading…</p>;

  const metric = search.get('metric') ?? data.metricKeys.find((k) => k === 'validation.loss') ?? data.metricKeys[0] ?? '';
  const prefer = (...keys: string[]) => keys.find((k) => data.metricKeys.includes(k));
  const xKey = search.get('x') ?? prefer('validation.loss', 'loss') ?? data.metricKeys[0] ?? '';
  const yKey = search.get('y') ?? prefer('test.accuracy', 'validation.accuracy', 'accuracy', 'test.r2') ?? data.metricKeys[1] ?? '';
  const better = (k: string): 'min' | 'max' => (/(loss|error|mae|mse|rmse)/.test(k) ? 'min' : 'max');

  // Overlay charts: one per metric and context, one line per run.
  const charts = new Map<string, { name: string; color: string; points: { step: number; value: number }[] }[]>();
  for (const s of series.data ?? []) {
    // Test metrics are one value per run: they belong to the table, the axes and the scatter.
    if (s.context === 'test') continue;
    const r = runs.data.find((x) => x.id === s.runId)!;
    const key = summaryKey(s.key, s.context);
    const list = charts.get(key) ?? [];
    list.push({ name: `#${r.number} ${r.createdBy?.name ?? ''}`.trim(), color: colorOf(r.id), points: s.points });
    charts.set(key, list);
  }

  const numericVarying = data.paths.filter((p) => data.differs(p) && data.params.some((x) => typeof x[p] === 'number' || typeof x[p] === 'string'));
  const axes = [
    ...numericVarying.slice(0, 8).map((p) => ({ name: p, values: data.params.map((x) => x[p] as number | string | null) })),
    { name: metric, values: data.summaries.map((s) => s[metric] ?? null) },
  ];
  const points = runs.data.map((r, i) => ({
    id: r.id,
    x: Number(data.summaries[i]![xKey] ?? data.params[i]![xKey] ?? NaN),
    y: Number(data.summaries[i]![yKey] ?? data.params[i]![yKey] ?? NaN),
    label: `#${r.number} ${r.name}`,
  }));
  const front = paretoFront(points, { x: better(xKey), y: better(yKey) });
  const valueKeys = [...data.metricKeys, ...data.paths.filter((p) => data.params.some((x) => typeof x[p] === 'number'))];

  return (
    <div className="space-y-5">
      <Card>
        <CardHeader title="Runs" description="Colours follow the run in every chart." />
        <ul className="flex flex-wrap gap-x-6 gap-y-2 px-5 py-3 text-sm" data-testid="compare-legend">
          {runs.data.map((r) => (
            <li key={r.id} className="flex items-center gap-2">
              <span className="inline-block h-3 w-3 rounded-full" style={{ background: colorOf(r.id) }} />
              <Link className="font-medium text-brand-700 hover:underline" href={`${basePath}/runs/${r.id}`}>
                #{r.number} {r.name}
              </Link>
              <span className="text-slate-500">by {r.createdBy?.name ?? 'unknown'}</span>
            </li>
          ))}
        </ul>
      </Card>

      <ChartControls options={chartOptions} onChange={setChartOptions} />
      <div className="grid gap-4 lg:grid-cols-2" data-testid="compare-charts">
        {[...charts.entries()].map(([key, s]) => (
          <MetricChart key={key} title={key} series={s} options={{ ...chartOptions, xMode: chartOptions.xMode === 'step' ? 'epoch' : chartOptions.xMode }} />
        ))}
      </div>

      <Card>
        <CardHeader
          title="Parameters and architecture"
          actions={
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> Differences only
            </label>
          }
        />
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="param-diff">
            <THead>
              <tr>
                <th className="px-4 py-2 font-medium">Parameter</th>
                {runs.data.map((r) => (
                  <th key={r.id} className="px-4 py-2 font-medium" style={{ color: colorOf(r.id) }}>
                    #{r.number}
                  </th>
                ))}
              </tr>
            </THead>
            <tbody className="divide-y divide-slate-100">
              {[
                { path: 'architecture', values: runs.data.map((r) => (r.architectureVersion ? `${r.architectureVersion.architecture.name} v${r.architectureVersion.version}` : '—')) },
                { path: 'parameters (count)', values: runs.data.map((r) => r.architectureVersion?.totalParams ?? null) },
                { path: 'dataset', values: runs.data.map((r) => (r.datasetVersion ? `${r.datasetVersion.dataset.name} v${r.datasetVersion.version}` : 'CartPole')) },
                { path: 'created by', values: runs.data.map((r) => r.createdBy?.email ?? '—') },
                ...data.paths.map((p) => ({ path: p, values: data.params.map((x) => x[p] ?? null) })),
              ]
                .map((row) => ({ ...row, differs: new Set(row.values.map((v) => JSON.stringify(v))).size > 1 }))
                .filter((row) => !onlyDiff || row.differs)
                .map((row) => (
                  <tr key={row.path} className={cn(row.differs && 'bg-amber-50/60')} data-differs={row.differs}>
                    <td className="px-4 py-1.5 font-mono text-xs">{row.path}</td>
                    {row.values.map((v, i) => (
                      <td key={i} className="px-4 py-1.5 font-mono text-xs">
                        {v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString(undefined, { maximumSignificantDigits: 6 }) : String(v)}
                      </td>
                    ))}
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </Card>

      <div className="grid gap-5 xl:grid-cols-2">
        <Card>
          <CardHeader
            title="Parallel coordinates"
            description="Parameters that differ → the chosen metric."
            actions={
              <Select aria-label="Metric" value={metric} onChange={(e) => setParam('metric', e.target.value)}>
                {data.metricKeys.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </Select>
            }
          />
          <div className="p-4">
            <ParallelCoordinates axes={axes} lines={runs.data.map((r) => ({ id: r.id, label: `#${r.number} ${r.name}`, color: colorOf(r.id) }))} />
          </div>
        </Card>
        <Card>
          <CardHeader
            title="Trade-off"
            description={`Pareto front (ringed): ${better(xKey) === 'min' ? 'lower' : 'higher'} ${xKey} and ${better(yKey) === 'min' ? 'lower' : 'higher'} ${yKey} are better.`}
          />
          <div className="flex gap-2 px-4 pt-3">
            <ChoiceSelect label="X value" prefix="x" value={xKey} choices={valueKeys} onChange={(v) => setParam('x', v)} />
            <ChoiceSelect label="Y value" prefix="y" value={yKey} choices={valueKeys} onChange={(v) => setParam('y', v)} />
          </div>
          <div className="p-4" data-testid="pareto-scatter">
            <ParetoScatter points={points.map((p) => ({ ...p, color: colorOf(p.id) }))} front={front} xName={xKey} yName={yKey} />
            <p className="text-xs text-slate-500" data-testid="pareto-front">
              On the front:{' '}
              {runs.data
                .filter((r) => front.has(r.id))
                .map((r) => `#${r.number}`)
                .join(', ') || '—'}
            </p>
          </div>
        </Card>
      </div>
      <FairnessCompare teamId={teamId} runIds={runIds} colorOf={colorOf} attribute={search.get('fattr')} metric={search.get('fmetric')} onChange={setParam} />
      <p className="text-sm">
        Export:{' '}
        <a className="text-brand-700 hover:underline" href={`/api/runs/export?runs=${runIds.join(',')}&format=csv`}>
          CSV
        </a>{' '}
        ·{' '}
        <a className="text-brand-700 hover:underline" href={`/api/runs/export?runs=${runIds.join(',')}&format=json`}>
          JSON
        </a>
      </p>
    </div>
  );
}
