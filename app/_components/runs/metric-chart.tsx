'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface ChartSeries {
  name: string;
  color: string;
  points: { step: number; value: number }[];
}

const PALETTE = ['#4f6ef7', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];
export const colorAt = (i: number) => PALETTE[i % PALETTE.length]!;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}

/** A line chart of already downsampled series (the server never sends raw series). */
export function MetricChart({ title, series, xLabel = 'step', height = 220, log = false }: { title: string; series: ChartSeries[]; xLabel?: string; height?: number; log?: boolean }) {
  // recharts wants one row per x; merge the series on step.
  const rows = new Map<number, Record<string, number>>();
  for (const s of series) for (const p of s.points) rows.set(p.step, { ...(rows.get(p.step) ?? { step: p.step }), [s.name]: p.value });
  const data = [...rows.values()].sort((a, b) => a.step! - b.step!);
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3" data-testid={`chart-${title}`}>
      <div className="mb-1 text-sm font-medium">{title}</div>
      {data.length === 0 ? (
        <div className="flex items-center justify-center text-xs text-slate-400" style={{ height }}>
          no points yet
        </div>
      ) : (
        <ResponsiveContainer width="100%" height={height}>
          <LineChart data={data} margin={{ top: 5, right: 10, bottom: 5, left: 0 }}>
            <CartesianGrid stroke="#f1f5f9" />
            <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11 }} label={{ value: xLabel, position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} tickFormatter={fmt} width={56} scale={log ? 'log' : 'auto'} domain={log ? ['auto', 'auto'] : undefined} allowDataOverflow={log} />
            <Tooltip formatter={(v) => fmt(Number(v))} labelFormatter={(l) => `${xLabel} ${l}`} />
            {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 11 }} /> : null}
            {series.map((s) => (
              <Line key={s.name} type="linear" dataKey={s.name} stroke={s.color} dot={s.points.length < 40} strokeWidth={1.6} isAnimationActive={false} connectNulls />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
