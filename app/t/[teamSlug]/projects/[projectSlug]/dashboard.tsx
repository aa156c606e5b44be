import Link from 'next/link';
import type { projectDashboard } from '@/server/services/dashboard';
import { RunStatus } from '../../../../_components/runs/status';
import { Card } from '../../../../_components/ui';

type Dashboard = Awaited<ReturnType<typeof projectDashboard>>;

export function ProjectDashboard({ data, base }: { data: Dashboard; base: string }) {
  const fmt = (v: number) => (Math.abs(v) < 10 ? v.toFixed(4) : v.toFixed(1));
  return (
    <div className="mb-6 grid gap-4 lg:grid-cols-4" data-testid="project-dashboard">
      <Card className="p-4">
        <div className="text-xs uppercase tracking-wide text-slate-500">Running now</div>
        <div className="text-2xl font-semibold">{data.running.length}</div>
        <div className="text-xs text-slate-500">{data.queued} queued</div>
        <ul className="mt-2 space-y-1 text-sm">
          {data.running.slice(0, 4).map((r) => {
            const p = r.progress as { fraction?: number } | null;
            return (
              <li key={r.id}>
                <Link className="text-brand-700 hover:underline" href={`${base}/runs/${r.id}`}>
                  #{r.number} {r.name}
                </Link>
                <div className="mt-0.5 h-1 rounded bg-slate-100">
                  <div className="h-1 rounded bg-brand-600" style={{ width: `${Math.round((p?.fraction ?? 0) * 100)}%` }} />
                </div>
              </li>
            );
          })}
        </ul>
      </Card>
      <Card className="p-4">
        <div className="mb-2 text-xs uppercase tracking-wide text-slate-500">Recent runs</div>
        <ul className="space-y-1 text-sm">
          {data.recent.map((r) => (
            <li key={r.id} className="flex items-center justify-between gap-2">
              <Link className="truncate text-brand-700 hover:underline" href={`${base}/runs/${r.id}`}>
                #{r.number} {r.name}
              </Link>
              <RunStatus status={r.status} />
            </li>
          ))}
          {data.recent.length === 0 ? <li className="text-slate-400">none yet</li> : null}
        </ul>
      </Card>
      <Card className="p-4">
        <div className="mb-2 text-xs uppercase tracking-wide text-slate-500">Best runs</div>
        <ul className="space-y-1 text-sm" data-testid="best-runs">
          {data.best.map((b) => (
            <li key={b.label} className="flex justify-between gap-2">
              <span className="text-slate-600">{b.label}</span>
              <Link className="font-mono text-brand-700 hover:underline" href={`${base}/runs/${b.run.id}`}>
                {fmt(b.value)} · #{b.run.number}
              </Link>
            </li>
          ))}
          {data.best.length === 0 ? <li className="text-slate-400">no finished runs yet</li> : null}
        </ul>
      </Card>
      <Card className="p-4">
        <div className="mb-2 text-xs uppercase tracking-wide text-slate-500">Activity (30 days)</div>
        <ul className="space-y-1.5 text-sm">
          {data.activity.map((a) => (
            <li key={a.name}>
              <div className="flex justify-between">
                <span>{a.name}</span>
                <span className="text-xs text-slate-500">
                  {a.total} runs · {a.succeeded} ok{a.failed ? ` · ${a.failed} failed` : ''}
                </span>
              </div>
              <div className="mt-0.5 h-1 rounded bg-slate-100">
                <div className="h-1 rounded bg-emerald-500" style={{ width: `${Math.round((a.total / Math.max(1, data.activity[0]!.total)) * 100)}%` }} />
              </div>
            </li>
          ))}
          {data.activity.length === 0 ? <li className="text-slate-400">no runs in the last 30 days</li> : null}
        </ul>
      </Card>
    </div>
  );
}
