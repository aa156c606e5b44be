'use client';

import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import Link from 'next/link';
import { useMemo } from 'react';
import type { RouterOutputs } from '@/server/api/root';
import { GateBadge } from '../../../../_components/runs/gate-badge';
import { RunStatus, duration } from '../../../../_components/runs/status';
import type { Sort } from './runs-saved-views';

export type Row = RouterOutputs['runs']['search']['rows'][number];

export function fmtValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : Number(v.toPrecision(5)).toString();
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const helper = createColumnHelper<Row>();

/**
 * The runs table's columns: selection, the fixed run fields, the fairness gates when any row has
 * them, then the chosen parameter and metric columns. Headers sort (server-side) on click.
 */
export function useRunColumns({
  basePath,
  metrics,
  params,
  picked,
  onPicked,
  sort,
  onSort,
  showGates,
}: {
  basePath: string;
  metrics: string[];
  params: string[];
  picked: string[];
  onPicked: (update: (picked: string[]) => string[]) => void;
  sort: Sort[];
  onSort: (field: string) => void;
  showGates: boolean;
}) {
  const header = (label: string, field: string) => (
    <button className="inline-flex items-center gap-1 uppercase" onClick={() => onSort(field)} data-sort={field}>
      {label}
      {sort[0]?.field === field ? <span>{sort[0].dir === 'desc' ? '↓' : '↑'}</span> : null}
    </button>
  );

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TanStack column defs differ in value type
  return useMemo<ColumnDef<Row, any>[]>(
    () => [
      helper.display({
        id: 'pick',
        header: () => null,
        cell: ({ row }) => (
          <input
            type="checkbox"
            aria-label={`Select run ${row.original.number}`}
            checked={picked.includes(row.original.id)}
            onChange={(e) => onPicked((p) => (e.target.checked ? [...p, row.original.id] : p.filter((x) => x !== row.original.id)))}
          />
        ),
      }),
      helper.accessor('number', { header: () => header('#', 'number'), cell: (c) => <span className="text-slate-400">{c.getValue()}</span> }),
      helper.accessor('name', {
        header: () => header('Run', 'name'),
        cell: ({ row }) => (
          <>
            <Link href={`${basePath}/runs/${row.original.id}`} className="font-medium text-brand-700 hover:underline">
              {row.original.name}
            </Link>
            {row.original.tags.length ? <span className="ml-2 text-xs text-slate-400">{row.original.tags.join(', ')}</span> : null}
          </>
        ),
      }),
      helper.accessor('status', { header: () => header('Status', 'status'), cell: (c) => <RunStatus status={c.getValue()} /> }),
      ...(showGates
        ? [
            helper.accessor((r) => r.gates?.status ?? null, {
              id: 'gates',
              header: () => <span title="The team's fairness policy gates (Policy page)">Fairness gates</span>,
              cell: ({ row }) => <GateBadge gates={row.original.gates} />,
            }),
          ]
        : []),
      helper.accessor((r) => r.user?.name ?? '—', { id: 'user', header: () => header('By', 'user') }),
      helper.accessor((r) => (r.architecture ? `${r.architecture.name} v${r.architecture.version}` : '—'), { id: 'architecture', header: () => header('Architecture', 'architecture') }),
      helper.accessor((r) => (r.dataset ? `${r.dataset.name} v${r.dataset.version}` : 'CartPole'), { id: 'dataset', header: () => header('Data', 'dataset') }),
      helper.accessor((r) => r.backend, {
        id: 'backend',
        header: () => header('Backend', 'backend'),
        cell: ({ row }) =>
          row.original.backend ? (
            <span title={row.original.device ?? undefined}>
              <span className="font-mono text-xs">{row.original.backend}</span>
              {row.original.device ? <span className="block max-w-48 truncate text-xs text-slate-500">{row.original.device}</span> : null}
            </span>
          ) : (
            <span className="text-slate-400">—</span>
          ),
      }),
      ...params.map((p) =>
        helper.accessor((r) => r.params[p], { id: `params.${p}`, header: () => header(p, `params.${p}`), cell: (c) => <span className="font-mono text-xs">{fmtValue(c.getValue())}</span> }),
      ),
      ...metrics.map((m) =>
        helper.accessor((r) => r.metrics[m]?.last ?? null, {
          id: `metrics.${m}`,
          header: () => header(m, `metrics.${m}`),
          cell: ({ row }) => {
            const s = row.original.metrics[m];
            return s ? (
              <span className="font-mono text-xs" title={`min ${fmtValue(s.min)} · max ${fmtValue(s.max)}`}>
                {fmtValue(s.last)}
              </span>
            ) : (
              '—'
            );
          },
        }),
      ),
      helper.accessor((r) => r.durationSeconds, { id: 'duration', header: () => header('Duration', 'duration'), cell: ({ row }) => duration(row.original.startedAt, row.original.finishedAt) }),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [metrics.join(), params.join(), picked.join(), sort[0]?.field, sort[0]?.dir, basePath, showGates],
  );
}
