'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import type { RouterOutputs } from '@/server/api/root';
import { GateBadge } from '../../../../_components/runs/gate-badge';
import { RunStatus, duration } from '../../../../_components/runs/status';
import { Alert, Button, cn, EmptyState, Input, Select, THead } from '../../../../_components/ui';
import { useTRPC } from '../../../../_trpc/client';

type Row = RouterOutputs['runs']['search']['rows'][number];
type Sort = { field: string; dir: 'asc' | 'desc' };

const OPS = ['>', '>=', '<', '<=', '=', '!=', '~'] as const;

function fmtValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : Number(v.toPrecision(5)).toString();
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const helper = createColumnHelper<Row>();

/**
 * The runs table: a query language filter (with a builder that writes it), server-side sorting
 * and pagination, dynamic metric and parameter columns read from summary rows, grouping with
 * aggregates, saved views, and selection for the compare view.
 */
export function RunsExplorer({ teamId, projectId, basePath }: { teamId: string; projectId: string; basePath: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<Sort[]>([{ field: 'number', dir: 'desc' }]);
  const [page, setPage] = useState(1);
  const [groupBy, setGroupBy] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [metricCols, setMetricCols] = useState<string[] | null>(null);
  const [paramCols, setParamCols] = useState<string[] | null>(null);
  const [showColumns, setShowColumns] = useState(false);
  const [builder, setBuilder] = useState({ field: '', op: '>' as (typeof OPS)[number], value: '' });
  const [viewName, setViewName] = useState('');
  const pageSize = 50;

  const columnsQ = useQuery(trpc.runs.columns.queryOptions({ projectId, teamId }));
  const available = columnsQ.data;
  const metrics = metricCols ?? (available?.metrics ?? []).map((m) => m.name).filter((n) => /^(val_|test_)/.test(n)).slice(0, 4);
  const params = paramCols ?? (available?.params ?? []).map((p) => p.path).filter((p) => ['learningRate', 'batchSize', 'epochs', 'optimizer.name'].includes(p));

  const search = useQuery({
    ...trpc.runs.search.queryOptions({ teamId, projectId, query: query || undefined, sort, page, pageSize, groupBy: groupBy || undefined, columns: { metrics, params } }),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
    retry: false,
  });
  const views = useQuery(trpc.runs.views.queryOptions({ teamId, projectId }));
  const saveView = useMutation(trpc.runs.saveView.mutationOptions({ onSuccess: () => void qc.invalidateQueries({ queryKey: trpc.runs.views.queryKey() }) }));

  const toggleSort = (field: string) => {
    setPage(1);
    setSort((s) => (s[0]?.field === field ? [{ field, dir: s[0].dir === 'desc' ? 'asc' : 'desc' }] : [{ field, dir: field.startsWith('metrics.') ? 'desc' : 'asc' }]));
  };
  const header = (label: string, field: string) => (
    <button className="inline-flex items-center gap-1 uppercase" onClick={() => toggleSort(field)} data-sort={field}>
      {label}
      {sort[0]?.field === field ? <span>{sort[0].dir === 'desc' ? '↓' : '↑'}</span> : null}
    </button>
  );

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TanStack column defs differ in value type
  const columns = useMemo<ColumnDef<Row, any>[]>(
    () => [
      helper.display({
        id: 'pick',
        header: () => null,
        cell: ({ row }) => (
          <input
            type="checkbox"
            aria-label={`Select run ${row.original.number}`}
            checked={picked.includes(row.original.id)}
            onChange={(e) => setPicked((p) => (e.target.checked ? [...p, row.original.id] : p.filter((x) => x !== row.original.id)))}
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
      ...((search.data?.rows ?? []).some((r) => r.gates)
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
    [metrics.join(), params.join(), picked.join(), sort[0]?.field, sort[0]?.dir, basePath, (search.data?.rows ?? []).some((r) => r.gates)],
  );

  const table = useReactTable({ data: search.data?.rows ?? [], columns, getCoreRowModel: getCoreRowModel(), manualSorting: true, manualPagination: true });
  const total = search.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const error = search.error?.message;

  function addCondition() {
    if (!builder.field || builder.value.trim() === '') return;
    const numeric = /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(builder.value.trim());
    const value = numeric ? builder.value.trim() : JSON.stringify(builder.value);
    const clause = `${builder.field} ${builder.op} ${value}`;
    const next = draft.trim() ? `${draft.trim()} and ${clause}` : clause;
    setDraft(next);
    setQuery(next);
    setPage(1);
  }

  const fields = [
    ...(available?.metrics ?? []).map((m) => m.field),
    ...(available?.params ?? []).map((p) => p.field),
    'status',
    'user',
    'tag',
    'architecture',
    'dataset',
    'backend',
    'device',
    'created',
    'duration',
  ];

  return (
    <div>
      <div className="space-y-3 border-b border-slate-100 px-5 py-3">
        <form
          className="flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(draft);
            setPage(1);
          }}
        >
          <Input
            aria-label="Filter runs"
            className="font-mono"
            placeholder='metrics.val_accuracy > 0.9 and params.lr < 0.01 and user = "ana@lab.org" and tag = "baseline"'
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            invalid={!!error}
          />
          <Button type="submit" variant="secondary">
            Filter
          </Button>
          {query ? (
            <Button type="button" variant="ghost" onClick={() => (setDraft(''), setQuery(''))}>
              Clear
            </Button>
          ) : null}
        </form>
        {error ? (
          <div data-testid="query-error">
            <Alert>{error}</Alert>
            {/column (\d+)/.exec(error) ? (
              <pre className="mt-1 overflow-x-auto font-mono text-xs text-slate-500">
                {query}
                {'\n'}
                {' '.repeat(Number(/column (\d+)/.exec(error)![1]) - 1)}^
              </pre>
            ) : null}
          </div>
        ) : null}
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-slate-500">Add a condition:</span>
          <Select aria-label="Condition field" value={builder.field} onChange={(e) => setBuilder({ ...builder, field: e.target.value })} className="py-1">
            <option value="">field…</option>
            {fields.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </Select>
          <Select aria-label="Condition operator" value={builder.op} onChange={(e) => setBuilder({ ...builder, op: e.target.value as (typeof OPS)[number] })} className="py-1">
            {OPS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </Select>
          <div className="w-40">
            <Input aria-label="Condition value" className="py-1" value={builder.value} onChange={(e) => setBuilder({ ...builder, value: e.target.value })} />
          </div>
          <Button type="button" size="sm" variant="secondary" onClick={addCondition}>
            Add
          </Button>
          <span className="ml-4 text-slate-500">Group by</span>
          <Select aria-label="Group by" value={groupBy} onChange={(e) => setGroupBy(e.target.value)} className="py-1">
            <option value="">nothing</option>
            <option value="user">creator</option>
            <option value="architecture">architecture</option>
            <option value="dataset">dataset</option>
            <option value="status">status</option>
            <option value="backend">backend</option>
            <option value="device">device</option>
            {(available?.params ?? []).map((p) => (
              <option key={p.path} value={`params.${p.path}`}>
                {p.path}
              </option>
            ))}
          </Select>
          <Button type="button" size="sm" variant="ghost" onClick={() => setShowColumns((s) => !s)}>
            Columns
          </Button>
          <Select
            aria-label="Saved view"
            className="py-1"
            value=""
            onChange={(e) => {
              const v = views.data?.find((x) => x.id === e.target.value);
              if (!v) return;
              setDraft(v.query);
              setQuery(v.query);
              setSort((v.sort as Sort[]).length ? (v.sort as Sort[]) : [{ field: 'number', dir: 'desc' }]);
              setGroupBy(v.groupBy ?? '');
              const cols = v.columns as { metrics?: string[]; params?: string[] };
              if (cols.metrics?.length) setMetricCols(cols.metrics);
              if (cols.params?.length) setParamCols(cols.params);
              setPage(1);
            }}
          >
            <option value="">saved views…</option>
            {(views.data ?? []).map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
                {v.shared ? ' (shared)' : ''}
              </option>
            ))}
          </Select>
          <div className="w-36">
            <Input aria-label="View name" className="py-1" placeholder="view name" value={viewName} onChange={(e) => setViewName(e.target.value)} />
          </div>
          <Button
            type="button"
            size="sm"
            variant="secondary"
            disabled={!viewName.trim() || saveView.isPending}
            onClick={() => saveView.mutate({ teamId, projectId, name: viewName, query, sort, groupBy: groupBy || undefined, columns: { metrics, params, hidden: [] }, shared: true })}
          >
            Save view
          </Button>
        </div>
        {showColumns && available ? (
          <div className="grid gap-3 rounded-md border border-slate-200 p-3 text-xs sm:grid-cols-2" data-testid="column-picker">
            <div>
              <div className="mb-1 font-semibold uppercase text-slate-500">Metrics</div>
              {available.metrics.map((m) => (
                <label key={m.name} className="mr-3 inline-flex items-center gap-1">
                  <input type="checkbox" checked={metrics.includes(m.name)} onChange={(e) => setMetricCols(e.target.checked ? [...metrics, m.name] : metrics.filter((x) => x !== m.name))} />
                  {m.name}
                </label>
              ))}
            </div>
            <div>
              <div className="mb-1 font-semibold uppercase text-slate-500">Parameters</div>
              {available.params.map((p) => (
                <label key={p.path} className="mr-3 inline-flex items-center gap-1">
                  <input type="checkbox" checked={params.includes(p.path)} onChange={(e) => setParamCols(e.target.checked ? [...params, p.path] : params.filter((x) => x !== p.path))} />
                  {p.path}
                </label>
              ))}
            </div>
          </div>
        ) : null}
        <div className="flex items-center gap-3 text-sm">
          <span className="text-slate-500" data-testid="runs-total">
            {total.toLocaleString()} run{total === 1 ? '' : 's'}
            {query ? ' match' : ''}
          </span>
          {picked.length >= 2 ? (
            <Link href={`${basePath}/compare?runs=${picked.join(',')}`} className="rounded-md bg-brand-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-brand-700">
              Compare {picked.length} runs
            </Link>
          ) : picked.length === 1 ? (
            <span className="text-xs text-slate-400">tick one more run to compare</span>
          ) : null}
        </div>
      </div>

      {search.data?.groups?.length ? (
        <table className="w-full border-b border-slate-100 text-sm" data-testid="run-groups">
          <THead>
            <tr>
              <th className="px-5 py-2 font-medium">{groupBy}</th>
              <th className="px-5 py-2 text-right font-medium">runs</th>
              {metrics.map((m) => (
                <th key={m} className="px-5 py-2 text-right font-medium">
                  {m} (mean · best)
                </th>
              ))}
            </tr>
          </THead>
          <tbody className="divide-y divide-slate-100">
            {search.data.groups.map((g) => (
              <tr key={g.key ?? 'none'}>
                <td className="px-5 py-1.5 font-medium">{g.label ?? g.key ?? '—'}</td>
                <td className="px-5 py-1.5 text-right">{g.count}</td>
                {metrics.map((m) => {
                  const a = g.aggregates[m];
                  const best = /loss|error|mae|mse|rmse/.test(m) ? a?.min : a?.max;
                  return (
                    <td key={m} className="px-5 py-1.5 text-right font-mono text-xs">
                      {a ? `${fmtValue(a.mean)} · ${fmtValue(best)}` : '—'}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      {search.data && search.data.rows.length === 0 && !error ? (
        <div className="p-5">
          <EmptyState title={query ? 'No run matches this filter' : 'No runs yet'}>{query ? 'Loosen the filter or clear it.' : 'Queue one: pick an architecture and a dataset, and a worker trains it.'}</EmptyState>
        </div>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="runs-table">
            <thead className="bg-slate-50 text-left text-xs tracking-wide text-slate-500">
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => (
                    <th key={h.id} className="whitespace-nowrap px-3 py-2 font-medium">
                      {flexRender(h.column.columnDef.header, h.getContext())}
                    </th>
                  ))}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-slate-100">
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} className={cn('hover:bg-slate-50', search.isPlaceholderData && 'opacity-60')}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="whitespace-nowrap px-3 py-2">
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 ? (
        <div className="flex items-center justify-end gap-2 px-5 py-2 text-sm">
          <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            Previous
          </Button>
          <span>
            page {page} of {pages}
          </span>
          <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
            Next
          </Button>
        </div>
      ) : null}
    </div>
  );
}
