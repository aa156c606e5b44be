'use client';

import { useQuery } from '@tanstack/react-query';
import { adapterLabel } from '@/lib/schemas/backends';
import { Badge, Card, EmptyState, THead } from '../../../_components/ui';
import { useTRPC } from '../../../_trpc/client';

function ago(date: Date): string {
  const s = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

const tone = { ONLINE: 'green', STOPPED: 'slate', LOST: 'red' } as const;

export function WorkersTable({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const workers = useQuery({ ...trpc.workers.list.queryOptions({ teamId }), refetchInterval: 5_000 });
  if (workers.isLoading) return <p className="text-sm text-slate-500">Loading…</p>;
  if (workers.error) return <p className="text-sm text-red-600">{workers.error.message}</p>;
  const rows = workers.data ?? [];
  if (rows.length === 0) {
    return <EmptyState title="No workers have connected in the last day">Run `npm run worker` (or `npx deepboard worker`) to start one.</EmptyState>;
  }
  return (
    <Card>
      <table className="w-full text-sm" data-testid="workers-table">
        <THead>
          <tr>
            <th className="px-5 py-2 font-medium">Worker</th>
            <th className="px-5 py-2 font-medium">Status</th>
            <th className="px-5 py-2 font-medium">Backends</th>
            <th className="px-5 py-2 font-medium">GPU adapter</th>
            <th className="px-5 py-2 font-medium">Versions</th>
            <th className="px-5 py-2 font-medium">Last heartbeat</th>
          </tr>
        </THead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((w) => (
            <tr key={w.id}>
              <td className="px-5 py-2.5">
                <span className="font-medium">{w.name}</span>
                <span className="block text-xs text-slate-500">
                  {w.host} · pid {w.pid}
                </span>
              </td>
              <td className="px-5 py-2.5">
                <Badge tone={tone[w.status]}>{w.status.toLowerCase()}</Badge>
              </td>
              <td className="px-5 py-2.5" data-testid="worker-backends">
                <div className="flex flex-wrap gap-1">
                  {(w.backends.length ? w.backends : [{ backend: w.backend, ok: true }]).map((b) => (
                    <span key={b.backend} title={b.ok ? (b.backend === w.backend ? 'default backend' : 'loaded') : `not loaded: ${b.reason ?? 'unknown'}`}>
                      <Badge tone={b.ok ? (b.backend === w.backend ? 'green' : 'brand') : 'slate'}>
                        <span className={b.ok ? 'font-mono' : 'font-mono line-through'}>{b.backend}</span>
                      </Badge>
                    </span>
                  ))}
                </div>
                {w.device ? <span className="mt-1 block text-xs text-slate-500">{w.device}</span> : null}
              </td>
              <td className="px-5 py-2.5 text-xs" data-testid="worker-gpu">
                {w.gpuAdapter ? (
                  <span className="font-medium text-slate-800">{adapterLabel(w.gpuAdapter)}</span>
                ) : (
                  <span className="text-slate-500" title={w.backends.find((b) => b.backend === 'webgpu')?.reason}>
                    none{w.backends.find((b) => b.backend === 'webgpu')?.reason ? ` — ${w.backends.find((b) => b.backend === 'webgpu')!.reason}` : ''}
                  </span>
                )}
              </td>
              <td className="px-5 py-2.5 text-xs text-slate-600">
                {Object.entries(w.versions)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(' · ')}
              </td>
              <td className="px-5 py-2.5 text-slate-600">{ago(w.lastHeartbeatAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
