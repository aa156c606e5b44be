'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import Link from 'next/link';
import { useState } from 'react';
import { Button, cn, EmptyState, Select, THead } from '../../../../_components/ui';
import { useTRPC } from '../../../../_trpc/client';
import { ColumnPicker, defaultColumns } from './runs-column-picker';
import { ConditionBuilder, RunsQueryBar } from './runs-query-bar';
import { SavedViews, type SavedView, type Sort } from './runs-saved-views';
import { fmtValue, useRunColumns } from './runs-table-columns';

/** Fields the condition builder offers besides the project's metrics and parameters. */
const RUN_FIELDS = ['status', 'user', 'tag', 'architecture', 'dataset', 'backend', 'device', 'created', 'duration'];

/**
 * The runs table: a query language filter (with a builder that writes it), server-side sorting
 * and pagination, dynamic metric and parameter columns read from summary rows, grouping with
 * aggregates, saved views, and selection for the compare view. This component holds the table's
 * state and wires the parts (query bar, column picker, saved views, columns) to it.
 */
export function RunsExplorer({ teamId, projectId, basePath }: { teamId: string; projectId: string; basePath: string }) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<Sort[]>([{ field: 'number', dir: 'desc' }]);
  const [page, setPage] = useState(1);
  const [groupBy, setGroupBy] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [metricCols, setMetricCols] = useState<string[] | null>(null);
  const [paramCols, setParamCols] = useState<string[] | null>(null);
  const [showColumns, setShowColumns] = useState(false);
  const pageSize = 50;

  const columnsQ = useQuery(trpc.runs.columns.queryOptions({ projectId, teamId }));
  const available = columnsQ.data;
  const defaults = defaultColumns(available);
  const metrics = metricCols ?? defaults.metrics;
  const params = paramCols ?? defaults.params;

  const search = useQuery({
    ...trpc.runs.search.queryOptions({ teamId, projectId, query: query || undefined, sort, page, pageSize, groupBy: groupBy || undefined, columns: { metrics, params } }),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
    retry: false,
  });

  const toggleSort = (field: string) => {
    setPage(1);
    setSort((s) => (s[0]?.field === field ? [{ field, dir: s[0].dir === 'desc' ? 'asc' : 'desc' }] : [{ field, dir: field.startsWith('metrics.') ? 'desc' : 'asc' }]));
  };
  const columns = useRunColumns({ basePath, metrics, params, picked, onPicked: setPicked, sort, onSort: toggleSort, showGates: (search.data?.rows ?? []).some((r) => r.gates) });

  const table = useReactTable({ data: search.data?.rows ?? [], columns, getCoreRowModel: getCoreRowModel(), manualSorting: true, manualPagination: true });
  const total = search.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const error = search.error?.message;

  /** Applies a query written elsewhere (a built condition, a saved view): the box shows it and paging restarts. */
  function applyQuery(next: string) {
    setDraft(next);
    setQuery(next);
    setPage(1);
  }

  function loadView(v: SavedView) {
    applyQuery(v.query);
    setSort((v.sort as Sort[]).length ? (v.sort as Sort[]) : [{ field: 'number', dir: 'desc' }]);
    setGroupBy(v.groupBy ?? '');
    const cols = v.columns as { metrics?: string[]; params?: string[] };
    if (cols.metrics?.length) setMetricCols(cols.metrics);
    if (cols.params?.length) setParamCols(cols.params);
  }

  const fields = [...(available?.metrics ?? []).map((m) => m.field), ...(available?.params ?? []).map((p) => p.field), ...RUN_FIELDS];

  return (
    <div>
      <div className="space-y-3 border-b border-slate-100 px-5 py-3">
        <RunsQueryBar draft={draft} onDraft={setDraft} query={query} error={error} onSubmit={(q) => (setQuery(q), setPage(1))} onClear={() => (setDraft(''), setQuery(''))} />
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <ConditionBuilder fields={fields} draft={draft} onApply={applyQuery} />
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
          <SavedViews teamId={teamId} projectId={projectId} current={{ query, sort, groupBy, metrics, params }} onLoad={loadView} />
        </div>
        {showColumns && available ? <ColumnPicker available={available} metrics={metrics} params={params} onMetrics={setMetricCols} onParams={setParamCols} /> : null}
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
          <EmptyState title={query ? 'No run matches this filter' : 'No runs yet'}>
            {query ? 'Loosen the filter or clear it.' : 'Queue one: pick an architecture and a dataset, and a worker trains it.'}
          </EmptyState>
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
