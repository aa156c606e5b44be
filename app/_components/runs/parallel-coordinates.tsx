'use client';

import { useState } from 'react';

export interface PcAxis {
  name: string;
  /** One value per line; strings become evenly spaced categories. */
  values: Array<number | string | null | undefined>;
  /** A logarithmic axis (e.g. learning rates); used when every value is a positive number. */
  log?: boolean;
}

export interface PcLine {
  id: string;
  label: string;
  color: string;
}

/** Parallel coordinates: one vertical axis per parameter (and the chosen metric last), one polyline per run. */
export function ParallelCoordinates({ axes, lines, height = 300 }: { axes: PcAxis[]; lines: PcLine[]; height?: number }) {
  const [hover, setHover] = useState<string | null>(null);
  const width = Math.max(420, axes.length * 150);
  const top = 30;
  const bottom = height - 30;
  const xAt = (i: number) => 60 + (i * (width - 120)) / Math.max(1, axes.length - 1);
  const scales = axes.map((a) => {
    const nums = a.values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (nums.length === a.values.filter((v) => v !== null && v !== undefined).length && nums.length > 0) {
      const lo = Math.min(...nums);
      const hi = Math.max(...nums);
      const t = a.log && lo > 0 ? Math.log10 : (v: number) => v;
      return { kind: 'num' as const, lo, hi, y: (v: number) => (hi === lo ? (top + bottom) / 2 : bottom - ((t(v) - t(lo)) / (t(hi) - t(lo))) * (bottom - top)) };
    }
    const cats = [...new Set(a.values.filter((v) => v !== null && v !== undefined).map(String))].sort();
    return { kind: 'cat' as const, cats, y: (v: string) => (cats.length <= 1 ? (top + bottom) / 2 : bottom - (cats.indexOf(v) / (cats.length - 1)) * (bottom - top)) };
  });
  const yOf = (axis: number, v: number | string | null | undefined) => {
    const s = scales[axis]!;
    if (v === null || v === undefined) return null;
    return s.kind === 'num' ? (typeof v === 'number' ? s.y(v) : null) : s.y(String(v));
  };
  const fmt = (v: number) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(1) : Number(v.toPrecision(3)).toString());
  return (
    <div className="overflow-x-auto" data-testid="parallel-coordinates">
      <svg width={width} height={height} role="img" aria-label="Parallel coordinates">
        {axes.map((a, i) => {
          const s = scales[i]!;
          return (
            <g key={a.name}>
              <line x1={xAt(i)} y1={top} x2={xAt(i)} y2={bottom} stroke="#cbd5e1" />
              <text x={xAt(i)} y={16} textAnchor="middle" fontSize="11" fontWeight="600" fill="#334155">
                {a.name}
              </text>
              {s.kind === 'num' ? (
                <>
                  <text x={xAt(i) + 4} y={top + 4} fontSize="10" fill="#64748b">
                    {fmt(s.hi)}
                  </text>
                  <text x={xAt(i) + 4} y={bottom} fontSize="10" fill="#64748b">
                    {fmt(s.lo)}
                  </text>
                </>
              ) : (
                s.cats.map((c) => (
                  <text key={c} x={xAt(i) + 4} y={s.y(c) + 3} fontSize="10" fill="#64748b">
                    {c}
                  </text>
                ))
              )}
            </g>
          );
        })}
        {lines.map((l, li) => {
          const pts = axes.map((a, i) => [xAt(i), yOf(i, a.values[li])] as const).filter((p) => p[1] !== null);
          return (
            <polyline
              key={l.id}
              points={pts.map(([x, y]) => `${x},${y}`).join(' ')}
              fill="none"
              stroke={l.color}
              strokeWidth={hover === l.id ? 3.5 : 2}
              strokeOpacity={hover && hover !== l.id ? 0.2 : 0.9}
              onMouseEnter={() => setHover(l.id)}
              onMouseLeave={() => setHover(null)}
            >
              <title>{l.label}</title>
            </polyline>
          );
        })}
      </svg>
    </div>
  );
}
