'use client';

import { CartesianGrid, ErrorBar, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';

export interface ScatterPoint {
  id: string;
  x: number;
  y: number;
  label: string;
  color: string;
  shape?: 'circle' | 'triangle' | 'diamond';
  opacity?: number;
  /** [below, above] x, drawn as a horizontal error bar. */
  err?: number[];
}

/** One point per run (or variant) with the Pareto front ringed, as the compare views draw it. */
export function ParetoScatter(props: { points: ScatterPoint[]; front: Set<string>; xName: string; yName: string; axisLabels?: boolean; height?: number }) {
  const { points, front, xName, yName, axisLabels = false, height = 280 } = props;
  return (
    <ResponsiveContainer width="100%" height={height}>
      <ScatterChart margin={{ top: 10, right: 20, bottom: axisLabels ? 20 : 10, left: 0 }}>
        <CartesianGrid stroke="#f1f5f9" />
        <XAxis type="number" dataKey="x" name={xName} tick={{ fontSize: 11 }} domain={['auto', 'auto']} label={axisLabels ? { value: xName, position: 'insideBottom', offset: -12, fontSize: 11 } : undefined} />
        <YAxis type="number" dataKey="y" name={yName} tick={{ fontSize: 11 }} domain={['auto', 'auto']} width={56} label={axisLabels ? { value: yName, angle: -90, position: 'insideLeft', fontSize: 11 } : undefined} />
        <ZAxis range={[85, 85]} />
        <Tooltip formatter={(v) => Number(v).toPrecision(4)} />
        {points.map((p) => (
          <Scatter
            key={p.id}
            name={p.label}
            data={[p]}
            shape={p.shape ?? 'circle'}
            fill={p.color}
            fillOpacity={p.opacity ?? 1}
            stroke={front.has(p.id) ? '#0f172a' : undefined}
            strokeWidth={front.has(p.id) ? 2.5 : 0}
            isAnimationActive={false}
          >
            {p.err ? <ErrorBar dataKey="err" direction="x" width={4} stroke={p.color} /> : null}
          </Scatter>
        ))}
      </ScatterChart>
    </ResponsiveContainer>
  );
}
