'use client';

import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { smoothTimeWeighted } from '@/lib/charts/smoothing';

export interface ChartPoint {
  step: number;
  value: number;
  epoch?: number | null;
  time?: number;
}

export interface ChartSeries {
  name: string;
  color: string;
  points: ChartPoint[];
  dashed?: boolean;
}

export type XMode = 'step' | 'epoch' | 'time';

export interface ChartOptions {
  xMode?: XMode;
  /** 0 … 1; time-weighted, so it looks the same at any point density. */
  smoothing?: number;
  log?: boolean;
  /** Wall-clock origin for xMode 'time' (ms). */
  timeOrigin?: number;
}

const PALETTE = ['#4f6ef7', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#14b8a6'];
export const colorAt = (i: number) => PALETTE[i % PALETTE.length]!;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}

function xOf(p: ChartPoint, mode: XMode, origin: number): number {
  if (mode === 'epoch') return p.epoch ?? p.step;
  if (mode === 'time') return p.time !== undefined ? Math.round((p.time - origin) / 100) / 10 : p.step;
  return p.step;
}

/**
 * A line chart of downsampled series (the server never sends raw series). Drag across the plot
 * to zoom: `onZoom` gets the step range, and the caller refetches it at full resolution.
 */
export function MetricChart({
  title,
  series,
  options = {},
  height = 220,
  onZoom,
}: {
  title: string;
  series: ChartSeries[];
  options?: ChartOptions;
  height?: number;
  onZoom?: (fromStep: number, toStep: number) => void;
}) {
  const mode = options.xMode ?? 'step';
  const smoothing = options.smoothing ?? 0;
  const origin = options.timeOrigin ?? Math.min(...series.flatMap((s) => s.points.map((p) => p.time ?? Infinity)));
  const [drag, setDrag] = useState<{ a: number; b?: number } | null>(null);

  const { data, names, stepAt } = useMemo(() => {
    const rows = new Map<number, Record<string, number>>();
    const stepAt = new Map<number, number>();
    const names: Array<{ key: string; color: string; dashed?: boolean; faint?: boolean; legend: boolean }> = [];
    for (const s of series) {
      const xy = s.points.map((p) => ({ x: xOf(p, mode, origin), y: p.value, step: p.step }));
      xy.forEach((p) => stepAt.set(p.x, p.step));
      const smoothed = smoothing > 0 ? smoothTimeWeighted(xy, smoothing) : null;
      const rawKey = smoothed ? `${s.name} (raw)` : s.name;
      names.push({ key: rawKey, color: s.color, dashed: s.dashed, faint: !!smoothed, legend: !smoothed });
      if (smoothed) names.push({ key: s.name, color: s.color, dashed: s.dashed, legend: true });
      xy.forEach((p, i) => {
        const row = rows.get(p.x) ?? { x: p.x };
        row[rawKey] = p.y;
        if (smoothed) row[s.name] = smoothed[i]!.y;
        rows.set(p.x, row);
      });
    }
    return { data: [...rows.values()].sort((a, b) => a.x! - b.x!), names, stepAt };
  }, [series, mode, smoothing, origin]);

  const xLabel = mode === 'time' ? 'seconds' : mode;
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3" data-testid={`chart-${title}`}>
      <div className="mb-1 text-sm font-medium">{title}</div>
      {data.length === 0 ? (
        <div className="flex items-center justify-center text-xs text-slate-400" style={{ height }}>
          no points yet
        </div>
      ) : (
        <ResponsiveContainer width="100%" height={height}>
          <LineChart
            data={data}
            margin={{ top: 5, right: 10, bottom: 5, left: 0 }}
            onMouseDown={(e) => onZoom && e?.activeLabel !== undefined && setDrag({ a: Number(e.activeLabel) })}
            onMouseMove={(e) => drag && e?.activeLabel !== undefined && setDrag({ ...drag, b: Number(e.activeLabel) })}
            onMouseUp={() => {
              if (drag?.b !== undefined && drag.a !== drag.b && onZoom) {
                const [lo, hi] = [Math.min(drag.a, drag.b), Math.max(drag.a, drag.b)];
                onZoom(stepAt.get(lo) ?? lo, stepAt.get(hi) ?? hi);
              }
              setDrag(null);
            }}
          >
            <CartesianGrid stroke="#f1f5f9" />
            <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11 }} label={{ value: xLabel, position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} tickFormatter={fmt} width={56} scale={options.log ? 'log' : 'auto'} domain={['auto', 'auto']} allowDataOverflow={options.log} />
            <Tooltip formatter={(v) => fmt(Number(v))} labelFormatter={(l) => `${xLabel} ${l}`} />
            {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 11 }} /> : null}
            {names.map((n) => (
              <Line
                key={n.key}
                type="linear"
                dataKey={n.key}
                stroke={n.color}
                strokeOpacity={n.faint ? 0.25 : 1}
                strokeDasharray={n.dashed ? '5 3' : undefined}
                dot={!n.faint && data.length < 40}
                strokeWidth={n.faint ? 1 : 1.6}
                isAnimationActive={false}
                legendType={n.legend ? 'line' : 'none'}
                connectNulls
              />
            ))}
            {drag?.b !== undefined ? <ReferenceArea x1={drag.a} x2={drag.b} strokeOpacity={0.3} fill="#4f6ef7" fillOpacity={0.1} /> : null}
          </LineChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}

/** Smoothing, log scale, x-axis and zoom controls shared by the charts of a page. */
export function ChartControls({ options, onChange, zoomed, onResetZoom }: { options: ChartOptions; onChange: (o: ChartOptions) => void; zoomed?: boolean; onResetZoom?: () => void }) {
  return (
    <div className="flex flex-wrap items-center gap-4 rounded-lg border border-slate-200 bg-white px-4 py-2 text-sm" data-testid="chart-controls">
      <label className="flex items-center gap-2">
        Smoothing
        <input type="range" min={0} max={0.99} step={0.01} value={options.smoothing ?? 0} onChange={(e) => onChange({ ...options, smoothing: Number(e.target.value) })} aria-label="Smoothing" />
        <span className="w-8 font-mono text-xs">{(options.smoothing ?? 0).toFixed(2)}</span>
      </label>
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={!!options.log} onChange={(e) => onChange({ ...options, log: e.target.checked })} /> Log scale
      </label>
      <label className="flex items-center gap-2">
        X axis
        <select
          className="rounded border border-slate-300 px-1.5 py-0.5"
          value={options.xMode ?? 'step'}
          onChange={(e) => onChange({ ...options, xMode: e.target.value as XMode })}
          aria-label="X axis"
        >
          <option value="step">step</option>
          <option value="epoch">epoch</option>
          <option value="time">relative time</option>
        </select>
      </label>
      <span className="text-xs text-slate-400">Drag across a chart to zoom (re-fetched at full resolution).</span>
      {zoomed ? (
        <button className="ml-auto text-xs text-brand-700 underline" onClick={onResetZoom}>
          Reset zoom
        </button>
      ) : null}
    </div>
  );
}
