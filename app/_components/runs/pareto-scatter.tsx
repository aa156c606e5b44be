'use client';

import { CartesianGrid, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';

export interface ScatterPoint {
  id: string;
  x: number;
  y: number;
  label: string;
  color: string;
  shape?: 'circle' | 'triangle' | 'diamond';
  opacity?: number;
  /** An interval [lo, hi] on x through the point (e.g. a 95 % bootstrap interval), drawn as |—|. */
  xInterval?: readonly [lo: number, hi: number];
}

const WHISKER = 4;

/**
 * The |—| of one point's x interval. ReferenceLine hands it the segment's ends already mapped
 * through the axes' scales, so it spans lo..hi in data coordinates, and `ifOverflow="extendDomain"`
 * widens the x axis to hold it. (recharts' ErrorBar takes offsets and, by default, grows in with a
 * CSS scaleX transition that a screenshot or a quick look catches half-drawn.)
 */
function XIntervalShape(props: { x1?: number; y1?: number; x2?: number; y2?: number; point: ScatterPoint }) {
  const { x1, y1, x2, point } = props;
  if (x1 === undefined || y1 === undefined || x2 === undefined) return <g />;
  return (
    <g data-testid="x-interval" data-label={point.label} stroke={point.color} strokeWidth={1.5}>
      <line x1={x1} y1={y1} x2={x2} y2={y1} />
      <line x1={x1} y1={y1 - WHISKER} x2={x1} y2={y1 + WHISKER} />
      <line x1={x2} y1={y1 - WHISKER} x2={x2} y2={y1 + WHISKER} />
    </g>
  );
}

/** One point per run (or variant) with the Pareto front ringed, as the compare views draw it. */
export function ParetoScatter(props: { points: ScatterPoint[]; front: Set<string>; xName: string; yName: string; axisLabels?: boolean; height?: number }) {
  const { points, front, xName, yName, axisLabels = false, height = 280 } = props;
  const intervals = points.flatMap((p) => (p.xInterval && Number.isFinite(p.y) && p.xInterval.every(Number.isFinite) ? [{ p, lo: p.xInterval[0], hi: p.xInterval[1] }] : []));
  return (
    <ResponsiveContainer width="100%" height={height}>
      <ScatterChart margin={{ top: 10, right: 20, bottom: axisLabels ? 20 : 10, left: 0 }}>
        <CartesianGrid stroke="#f1f5f9" />
        <XAxis
          type="number"
          dataKey="x"
          name={xName}
          tick={{ fontSize: 11 }}
          domain={['auto', 'auto']}
          label={axisLabels ? { value: xName, position: 'insideBottom', offset: -12, fontSize: 11 } : undefined}
        />
        <YAxis
          type="number"
          dataKey="y"
          name={yName}
          tick={{ fontSize: 11 }}
          domain={['auto', 'auto']}
          width={56}
          label={axisLabels ? { value: yName, angle: -90, position: 'insideLeft', fontSize: 11 } : undefined}
        />
        <ZAxis range={[85, 85]} />
        <Tooltip formatter={(v) => Number(v).toPrecision(4)} />
        {intervals.map(({ p, lo, hi }) => (
          <ReferenceLine
            key={`${p.id}:interval`}
            segment={[
              { x: lo, y: p.y },
              { x: hi, y: p.y },
            ]}
            ifOverflow="extendDomain"
            shape={(line: { x1?: number; y1?: number; x2?: number; y2?: number }) => <XIntervalShape {...line} point={p} />}
          />
        ))}
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
          />
        ))}
      </ScatterChart>
    </ResponsiveContainer>
  );
}
