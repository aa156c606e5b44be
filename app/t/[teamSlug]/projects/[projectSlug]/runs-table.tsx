'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { RunStatus, duration } from '../../../../_components/runs/status';
import { EmptyState } from '../../../../_components/ui';
import { useTRPC } from '../../../../_trpc/client';

export function RunsTable({ teamId, projectId, basePath }: { teamId: string; projectId: string; basePath: string }) {
  const trpc = useTRPC();
  const runs = useQuery({ ...trpc.runs.list.queryOptions({ teamId, projectId }), refetchInterval: 3000 });
  const [picked, setPicked] = useState<string[]>([]);
  if (!runs.data) return <p className="px-5 py-4 text-sm text-slate-500">Loading…</p>;
  if (runs.data.length === 0) {
    return (
      <div className="p-5">
        <EmptyState title="No runs yet">Queue one: pick an architecture and a dataset, and a worker trains it.</EmptyState>
      </div>
    );
  }
  return (
    <>
    <div className="flex items-center gap-3 border-b border-slate-100 px-5 py-2 text-sm">
      <span className="text-slate-500">{picked.length ? `${picked.length} selected` : 'Tick runs to compare them'}</span>
      {picked.length >= 2 ? (
        <Link href={`${basePath}/compare?runs=${picked.join(',')}`} className="rounded-md bg-brand-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-brand-700">
          Compare {picked.length} runs
        </Link>
      ) : null}
    </div>
    <table className="w-full text-sm" data-testid="runs-table">
      <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <th className="w-8 px-3 py-2" />
          <th className="px-5 py-2 font-medium">#</th>
          <th className="px-5 py-2 font-medium">Run</th>
          <th className="px-5 py-2 font-medium">Status</th>
          <th className="px-5 py-2 font-medium">Architecture</th>
          <th className="px-5 py-2 font-medium">Data</th>
          <th className="px-5 py-2 font-medium">By</th>
          <th className="px-5 py-2 font-medium">Backend</th>
          <th className="px-5 py-2 text-right font-medium">Duration</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {runs.data.map((r) => (
          <tr key={r.id} className="hover:bg-slate-50">
            <td className="px-3 py-2">
              <input
                type="checkbox"
                aria-label={`Select run ${r.number}`}
                checked={picked.includes(r.id)}
                onChange={(e) => setPicked((p) => (e.target.checked ? [...p, r.id] : p.filter((x) => x !== r.id)))}
              />
            </td>
            <td className="px-5 py-2 text-slate-400">{r.number}</td>
            <td className="px-5 py-2">
              <Link href={`${basePath}/runs/${r.id}`} className="font-medium text-brand-700 hover:underline">
                {r.name}
              </Link>
              {r.tags.length ? <span className="ml-2 text-xs text-slate-400">{r.tags.join(', ')}</span> : null}
            </td>
            <td className="px-5 py-2">
              <RunStatus status={r.status} queuePosition={r.queuePosition} />
            </td>
            <td className="px-5 py-2 text-slate-600">{r.architectureVersion ? `${r.architectureVersion.architecture.name} v${r.architectureVersion.version}` : '—'}</td>
            <td className="px-5 py-2 text-slate-600">{r.datasetVersion ? `${r.datasetVersion.dataset.name} v${r.datasetVersion.version}` : 'CartPole'}</td>
            <td className="px-5 py-2 text-slate-600">{r.createdBy?.name ?? '—'}</td>
            <td className="px-5 py-2 font-mono text-xs">{r.backend ?? '—'}</td>
            <td className="px-5 py-2 text-right text-slate-600">{duration(r.startedAt, r.finishedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </>
  );
}
