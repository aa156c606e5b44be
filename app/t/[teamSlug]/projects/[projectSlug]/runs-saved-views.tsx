'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { RouterOutputs } from '@/server/api/root';
import { Button, Input, Select } from '../../../../_components/ui';
import { useTRPC } from '../../../../_trpc/client';

export type Sort = { field: string; dir: 'asc' | 'desc' };
export type SavedView = RouterOutputs['runs']['views'][number];

/** What a saved view records of the table: the query, the sort, the grouping and the columns. */
export interface ViewState {
  query: string;
  sort: Sort[];
  groupBy: string;
  metrics: string[];
  params: string[];
}

/** Picks a saved view of the project (handing it to `onLoad`), or saves the current one, shared with the team, under a name. */
export function SavedViews({ teamId, projectId, current, onLoad }: { teamId: string; projectId: string; current: ViewState; onLoad: (view: SavedView) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [viewName, setViewName] = useState('');
  const views = useQuery(trpc.runs.views.queryOptions({ teamId, projectId }));
  const saveView = useMutation(trpc.runs.saveView.mutationOptions({ onSuccess: () => void qc.invalidateQueries({ queryKey: trpc.runs.views.queryKey() }) }));

  return (
    <>
      <Select
        aria-label="Saved view"
        className="py-1"
        value=""
        onChange={(e) => {
          const v = views.data?.find((x) => x.id === e.target.value);
          if (v) onLoad(v);
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
        onClick={() =>
          saveView.mutate({
            teamId,
            projectId,
            name: viewName,
            query: current.query,
            sort: current.sort,
            groupBy: current.groupBy || undefined,
            columns: { metrics: current.metrics, params: current.params, hidden: [] },
            shared: true,
          })
        }
      >
        Save view
      </Button>
    </>
  );
}
