import Link from 'next/link';
import type { listSweeps } from '@/server/services/sweeps';
import { Badge, THead } from '../../../../../_components/ui';

const TONE = { RUNNING: 'brand', FINISHED: 'green', CANCELLED: 'amber' } as const;

export function SweepStatusBadge({ status }: { status: keyof typeof TONE }) {
  return (
    <span data-testid="sweep-status" data-status={status}>
      <Badge tone={TONE[status]}>{status.toLowerCase()}</Badge>
    </span>
  );
}

const fmt = (v: number) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : Number(v.toPrecision(4)).toString());

/** The project's sweeps: progress, objective and best run of each. */
export function SweepsTable({ sweeps, basePath }: { sweeps: Awaited<ReturnType<typeof listSweeps>>; basePath: string }) {
  return (
    <table className="w-full text-sm" data-testid="sweeps-table">
      <THead>
        <tr>
          <th className="px-5 py-2 font-medium">Name</th>
          <th className="px-5 py-2 font-medium">Status</th>
          <th className="px-5 py-2 font-medium">Method</th>
          <th className="px-5 py-2 font-medium">Runs done</th>
          <th className="px-5 py-2 font-medium">Objective</th>
          <th className="px-5 py-2 font-medium">Best</th>
          <th className="px-5 py-2 font-medium">By</th>
        </tr>
      </THead>
      <tbody className="divide-y divide-slate-100">
        {sweeps.map((s) => (
          <tr key={s.id} className="hover:bg-slate-50">
            <td className="px-5 py-2.5">
              <Link href={`${basePath}/sweeps/${s.id}`} className="font-medium text-brand-700 hover:underline">
                {s.name}
              </Link>
            </td>
            <td className="px-5 py-2.5">
              <SweepStatusBadge status={s.status} />
            </td>
            <td className="px-5 py-2.5 text-slate-600">
              {s.method}
              {s.earlyStopping ? ' · median stopping' : ''}
            </td>
            <td className="px-5 py-2.5">
              {s.done} / {s.maxRuns}
            </td>
            <td className="px-5 py-2.5 font-mono text-xs">
              {s.objective.direction} {s.objective.metric}
            </td>
            <td className="px-5 py-2.5">
              {s.best ? (
                <Link href={`${basePath}/runs/${s.best.runId}`} className="text-brand-700 hover:underline">
                  #{s.best.number} <span className="font-mono text-xs">{fmt(s.best.value)}</span>
                </Link>
              ) : (
                '—'
              )}
            </td>
            <td className="px-5 py-2.5 text-slate-500">{s.createdBy?.name ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
