'use client';

import type { BiasProfile } from '@/lib/datasets/bias';
import type { ColumnProfile } from '@/lib/datasets/stats';
import { COLUMN_ROLES, COLUMN_TYPES, type ColumnRole, type ColumnType } from '@/lib/datasets/schema';
import { Badge, cn, THead } from '../ui';

/** Shared pieces of the dataset pages: column profiles, histograms, the bias profile, image grids. */

function fmt(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return n.toExponential(2);
  return n.toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`;
}

export function MiniHistogram({ counts, width = 120, height = 28 }: { counts: number[]; width?: number; height?: number }) {
  const max = Math.max(1, ...counts);
  const w = width / Math.max(1, counts.length);
  return (
    <svg width={width} height={height} aria-hidden="true" className="block">
      {counts.map((c, i) => {
        const h = (c / max) * (height - 2);
        return <rect key={i} x={i * w} y={height - h} width={Math.max(1, w - 1)} height={h} className="fill-brand-500/70" />;
      })}
    </svg>
  );
}

export function TopValues({ values, total, max = 4 }: { values: { value: string; count: number }[]; total: number; max?: number }) {
  return (
    <div className="space-y-0.5">
      {values.slice(0, max).map((v) => (
        <div key={v.value} className="flex items-center gap-2 text-xs">
          <span className="w-24 truncate" title={v.value}>
            {v.value}
          </span>
          <span className="h-1.5 rounded bg-brand-500/60" style={{ width: `${Math.max(2, (v.count / Math.max(1, total)) * 80)}px` }} />
          <span className="text-slate-500">{v.count.toLocaleString()}</span>
        </div>
      ))}
      {values.length > max ? <div className="text-xs text-slate-400">+{values.length - max} more</div> : null}
    </div>
  );
}

export function ColumnSummary({ column }: { column: ColumnProfile }) {
  if (column.numeric) {
    const s = column.numeric;
    return (
      <div className="flex items-center gap-3">
        <MiniHistogram counts={s.histogram.counts} />
        <span className="text-xs text-slate-500">
          {fmt(s.min)} – {fmt(s.max)} · mean {fmt(s.mean)} · std {fmt(s.std)}
        </span>
      </div>
    );
  }
  if (column.type === 'text' && column.text) {
    return <span className="text-xs text-slate-500">free text · mean {fmt(column.text.meanWords, 1)} words</span>;
  }
  if (column.datetime)
    return (
      <span className="text-xs text-slate-500">
        {column.datetime.min} → {column.datetime.max}
      </span>
    );
  return <TopValues values={column.topValues} total={column.count} />;
}

export interface ColumnChoice {
  name: string;
  type: ColumnType;
  typeOverride?: ColumnType;
  role: ColumnRole;
  useAsFeature: boolean;
}

/** The profile of every column; with `choices` + `onChange`, types and roles are editable. */
export function ColumnsTable({ columns, rowCount, choices, onChange }: { columns: ColumnProfile[]; rowCount: number; choices?: ColumnChoice[]; onChange?: (next: ColumnChoice[]) => void }) {
  const set = (i: number, patch: Partial<ColumnChoice>) => onChange?.(choices!.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <table className="w-full text-sm" data-testid="columns-table">
      <THead>
        <tr>
          <th className="px-4 py-2 font-medium">Column</th>
          <th className="px-4 py-2 font-medium">Type</th>
          <th className="px-4 py-2 font-medium">Role</th>
          <th className="px-4 py-2 text-right font-medium">Missing</th>
          <th className="px-4 py-2 text-right font-medium">Distinct</th>
          <th className="px-4 py-2 font-medium">Distribution</th>
        </tr>
      </THead>
      <tbody className="divide-y divide-slate-100">
        {columns.map((c, i) => {
          const choice = choices?.[i];
          return (
            <tr key={c.name} className={cn(choice?.role === 'label' && 'bg-brand-50/50', choice?.role === 'sensitive' && 'bg-amber-50/60')} data-testid={`column-${c.name}`}>
              <td className="px-4 py-2 font-medium">{c.name}</td>
              <td className="px-4 py-2">
                {choice && onChange ? (
                  <select
                    aria-label={`Type of ${c.name}`}
                    title={c.typeReason}
                    className="rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs"
                    value={choice.typeOverride ?? choice.type}
                    onChange={(e) => set(i, { typeOverride: e.target.value === choice.type ? undefined : (e.target.value as ColumnType) })}
                  >
                    {COLUMN_TYPES.map((t) => (
                      <option key={t} value={t}>
                        {t}
                        {t === c.type ? ' (inferred)' : ''}
                      </option>
                    ))}
                  </select>
                ) : (
                  <span title={c.typeReason}>
                    <Badge>{choice?.typeOverride ?? c.type}</Badge>
                  </span>
                )}
              </td>
              <td className="px-4 py-2">
                {choice && onChange ? (
                  <div className="flex items-center gap-2">
                    <select
                      aria-label={`Role of ${c.name}`}
                      className="rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs"
                      value={choice.role}
                      onChange={(e) => set(i, { role: e.target.value as ColumnRole, useAsFeature: false })}
                    >
                      {COLUMN_ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                    {choice.role === 'sensitive' ? (
                      <label className="flex items-center gap-1 text-xs text-slate-600" title="Also give this attribute to the model as an input">
                        <input type="checkbox" checked={choice.useAsFeature} onChange={(e) => set(i, { useAsFeature: e.target.checked })} /> model input
                      </label>
                    ) : null}
                  </div>
                ) : choice ? (
                  <Badge tone={choice.role === 'label' ? 'brand' : choice.role === 'sensitive' ? 'amber' : 'slate'}>{choice.role}</Badge>
                ) : (
                  <span className="text-xs text-slate-500">{c.suggestedRole}</span>
                )}
              </td>
              <td className={cn('px-4 py-2 text-right font-mono text-xs', c.missing > 0 && 'text-amber-700')}>
                {c.missing.toLocaleString()} <span className="text-slate-400">({pct(c.missing / Math.max(1, rowCount))})</span>
              </td>
              <td className="px-4 py-2 text-right font-mono text-xs">
                {c.distinctExact ? '' : '~'}
                {c.distinct.toLocaleString()}
              </td>
              <td className="px-4 py-2">
                <ColumnSummary column={c} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Base rate of the label per sensitive group and per intersection, with the largest gap called out. */
export function BiasProfileView({ bias }: { bias: BiasProfile }) {
  const isRate = bias.task.kind === 'binary';
  const label = bias.task.kind === 'binary' ? `P(${bias.label} = ${bias.task.positiveClass})` : bias.task.kind === 'regression' ? `mean ${bias.label}` : 'class distribution';
  return (
    <div className="space-y-5" data-testid="bias-profile">
      {bias.largestGap ? (
        <div className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="largest-gap">
          Largest gap: <strong>{bias.largestGap.columns.join(' × ')}</strong> — {bias.largestGap.gap.highest.group}{' '}
          {isRate ? pct(bias.largestGap.gap.highest.rate) : fmt(bias.largestGap.gap.highest.rate)} vs {bias.largestGap.gap.lowest.group}{' '}
          {isRate ? pct(bias.largestGap.gap.lowest.rate) : fmt(bias.largestGap.gap.lowest.rate)} (
          {isRate ? `${(bias.largestGap.gap.difference * 100).toFixed(1)} points` : fmt(bias.largestGap.gap.difference)}
          {bias.largestGap.gap.ratio !== null ? `, ratio ${bias.largestGap.gap.ratio.toFixed(2)}` : ''})
          {bias.largestGap.gap.ratio !== null && bias.largestGap.gap.ratio < 0.8 && isRate ? ' — below the four-fifths rule' : ''}
        </div>
      ) : null}
      <p className="text-xs text-slate-500">
        Overall {label}: {isRate ? pct(bias.overallRate) : bias.overallRate === null ? '—' : fmt(bias.overallRate)} over {bias.labelled.toLocaleString()} labelled rows.
      </p>
      <div className="grid gap-4 lg:grid-cols-2">
        {bias.tables.map((t) => {
          const max = Math.max(1e-9, ...t.groups.map((g) => g.baseRate ?? 0));
          return (
            <div key={t.columns.join('×')} className="rounded-md border border-slate-200">
              <div className="flex items-center justify-between border-b border-slate-100 bg-slate-50 px-3 py-2 text-sm">
                <span className="font-medium">{t.columns.join(' × ')}</span>
                {t.gap ? (
                  <span className={cn('text-xs', t.gap.ratio !== null && t.gap.ratio < 0.8 ? 'font-semibold text-amber-700' : 'text-slate-500')}>
                    gap {isRate ? `${(t.gap.difference * 100).toFixed(1)} pts` : fmt(t.gap.difference)}
                    {t.gap.ratio !== null ? ` · ratio ${t.gap.ratio.toFixed(2)}` : ''}
                  </span>
                ) : null}
              </div>
              <table className="w-full text-xs">
                <tbody className="divide-y divide-slate-100">
                  {t.groups.map((g) => {
                    const extreme = t.gap && (g.name === t.gap.highest.group || g.name === t.gap.lowest.group);
                    return (
                      <tr key={g.name} className={cn(!g.inGap && 'text-slate-400', extreme && 'bg-amber-50/70')}>
                        <td className="px-3 py-1.5">{g.name}</td>
                        <td className="px-3 py-1.5 text-right font-mono">{g.count.toLocaleString()}</td>
                        <td className="px-3 py-1.5 text-right font-mono text-slate-500">{pct(g.share)}</td>
                        <td className="w-40 px-3 py-1.5">
                          {g.baseRate !== null ? (
                            <div className="flex items-center gap-2">
                              <span className="h-2 rounded bg-brand-500/70" style={{ width: `${Math.max(2, (g.baseRate / max) * 70)}px` }} />
                              <span className="font-mono">{isRate ? pct(g.baseRate) : fmt(g.baseRate)}</span>
                            </div>
                          ) : (
                            <span className="text-slate-400">{g.count === 0 ? 'empty' : '—'}</span>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          );
        })}
      </div>
    </div>
  );
}

export function ImageGrid({ previews, counts }: { previews: { className: string; images: string[] }[]; counts?: number[] }) {
  return (
    <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="image-grid">
      {previews.map((p, i) => (
        <div key={p.className} className="rounded-md border border-slate-200 p-3">
          <div className="mb-2 flex items-center justify-between text-sm">
            <span className="font-medium">{p.className}</span>
            {counts ? <span className="text-xs text-slate-500">{counts[i]?.toLocaleString()} images</span> : null}
          </div>
          <div className="flex flex-wrap gap-1.5">
            {p.images.map((src, j) => (
              // eslint-disable-next-line @next/next/no-img-element
              <img key={j} src={src} alt={`${p.className} example ${j + 1}`} className="h-16 w-16 rounded border border-slate-200 object-cover [image-rendering:pixelated]" />
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
