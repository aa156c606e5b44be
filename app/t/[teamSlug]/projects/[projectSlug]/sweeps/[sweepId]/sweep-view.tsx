'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import type { SweepParameter } from '@/lib/schemas/sweeps';
import { ParallelCoordinates, type PcAxis } from '../../../../../../_components/runs/parallel-coordinates';
import { duration, RunStatus } from '../../../../../../_components/runs/status';
import { Alert, Badge, Button, Card, CardHeader, PageHeader, THead } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';
import { SweepStatusBadge } from '../sweeps-table';

const fmt = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'number' ? (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : Number(v.toPrecision(4)).toString()) : String(v));

function describe(p: SweepParameter): string {
  switch (p.type) {
    case 'choice':
      return `one of ${p.values.join(', ')}`;
    case 'int-uniform':
      return `integer ${p.low}…${p.high}${p.step !== 1 ? ` step ${p.step}` : ''}`;
    default:
      return `${p.type} ${p.low}…${p.high}${p.gridPoints ? ` (${p.gridPoints} grid points)` : ''}`;
  }
}

const LINE = { best: '#059669', SUCCEEDED: '#6366f1', PRUNED: '#f59e0b', FAILED: '#ef4444', other: '#94a3b8' } as const;

export function SweepView({ teamId, sweepId, canWrite, basePath }: { teamId: string; sweepId: string; canWrite: boolean; basePath: string }) {
  const trpc = useTRPC();
  const sweep = useQuery({ ...trpc.sweeps.get.queryOptions({ teamId, sweepId }), refetchInterval: (q) => (q.state.data?.status === 'RUNNING' ? 2000 : false) });
  const cancel = useMutation(trpc.sweeps.cancel.mutationOptions({ onSuccess: () => void sweep.refetch() }));
  const [error, setError] = useState<string | null>(null);
  const s = sweep.data;
  if (!s) return sweep.error ? <Alert>{sweep.error.message}</Alert> : <p className="text-sm text-slate-500">Loading…</p>;

  const params = Object.keys(s.space);
  // Parameters that took more than one value, on a log axis where the space is log-uniform.
  const varying = params.filter((p) => new Set(s.trials.map((t) => JSON.stringify(t.params[p]))).size > 1);
  const logAxis = (p: string) => s.space[p]?.type === 'log-uniform';
  // Lines: finished runs with an objective; the best drawn last so it sits on top.
  const plotted = s.trials.filter((t) => t.objective !== null).sort((a, b) => Number(a.id === s.best?.id) - Number(b.id === s.best?.id));
  const axes: PcAxis[] = [
    ...varying.map((p) => ({ name: logAxis(p) ? `${p} (log)` : p, log: logAxis(p), values: plotted.map((t) => t.params[p] as number | string | null) })),
    { name: s.objective.metric, values: plotted.map((t) => t.objective) },
  ];
  const lines = plotted.map((t) => ({
    id: t.id,
    label: `#${t.number} trial ${(t.trial ?? 0) + 1}: ${params.map((p) => `${p}=${fmt(t.params[p])}`).join(', ')} → ${s.objective.metric} ${fmt(t.objective)}${t.status === 'PRUNED' ? ' (pruned)' : ''}`,
    color: t.id === s.best?.id ? LINE.best : t.status === 'SUCCEEDED' ? LINE.SUCCEEDED : t.status === 'PRUNED' ? LINE.PRUNED : t.status === 'FAILED' ? LINE.FAILED : LINE.other,
  }));
  const fraction = s.maxRuns ? s.done / s.maxRuns : 0;
  const running = (s.runsByStatus.RUNNING ?? 0) + (s.runsByStatus.QUEUED ?? 0);

  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            {s.name} <SweepStatusBadge status={s.status} />
          </span>
        }
        description={`${s.method === 'grid' ? 'Grid' : 'Random'} search (seed ${s.seed}) over ${params.length} parameter${params.length === 1 ? '' : 's'} of ${s.architecture.name} v${s.architecture.version}${s.dataset ? ` on ${s.dataset.name} v${s.dataset.version}` : ''}; ${s.objective.direction === 'min' ? 'minimising' : 'maximising'} ${s.objective.metric} (${s.objective.summary} epoch).`}
        actions={
          canWrite && s.status === 'RUNNING' ? (
            <Button
              variant="danger"
              disabled={cancel.isPending}
              onClick={() => {
                setError(null);
                cancel.mutate({ teamId, sweepId, stopRuns: true }, { onError: (e) => setError(e.message) });
              }}
            >
              Cancel sweep
            </Button>
          ) : null
        }
      />
      {error ? <Alert className="mb-4">{error}</Alert> : null}
      {s.reason && s.status !== 'FINISHED' ? (
        <Alert tone="info" className="mb-4">
          Stopped: {s.reason}
        </Alert>
      ) : null}

      <div className="mb-5 grid gap-5 lg:grid-cols-3">
        <Card className="p-5">
          <div className="text-xs font-medium uppercase tracking-wide text-slate-500">Progress</div>
          <div className="mt-1 text-2xl font-semibold text-slate-900" data-testid="sweep-progress">
            {s.done} / {s.maxRuns} runs done
          </div>
          <div className="mt-3 h-2 overflow-hidden rounded-full bg-slate-100">
            <div className="h-full bg-brand-600 transition-all" style={{ width: `${Math.round(fraction * 100)}%` }} />
          </div>
          <div className="mt-2 flex flex-wrap gap-2 text-xs text-slate-600">
            <span>
              {running} active (limit {s.parallelism})
            </span>
            {Object.entries(s.runsByStatus).map(([status, n]) => (
              <span key={status}>
                · {n} {status.toLowerCase()}
              </span>
            ))}
          </div>
        </Card>
        <Card className="p-5" data-testid="sweep-best">
          <div className="text-xs font-medium uppercase tracking-wide text-slate-500">Best run</div>
          {s.best ? (
            <>
              <Link href={`${basePath}/runs/${s.best.id}`} className="mt-1 block text-lg font-semibold text-emerald-700 hover:underline">
                #{s.best.number} {s.best.name}
              </Link>
              <div className="mt-1 font-mono text-sm text-slate-800">
                {s.objective.metric} = {fmt(s.best.objective)}
              </div>
              <div className="mt-1 font-mono text-xs text-slate-500">{params.map((p) => `${p}=${fmt(s.best!.params[p])}`).join(' · ')}</div>
            </>
          ) : (
            <p className="mt-1 text-sm text-slate-500">No run has completed yet.</p>
          )}
        </Card>
        <Card className="p-5">
          <div className="text-xs font-medium uppercase tracking-wide text-slate-500">Search space</div>
          <ul className="mt-1 space-y-1 text-sm">
            {params.map((p) => (
              <li key={p}>
                <span className="font-mono text-xs text-slate-900">{p}</span> <span className="text-slate-600">{describe(s.space[p]!)}</span>
              </li>
            ))}
          </ul>
          <div className="mt-2 text-xs text-slate-500">
            {s.earlyStopping ? `Median early stopping after ${s.earlyStopping.warmupEpochs} warm-up epoch(s), once ${s.earlyStopping.startupRuns} run(s) completed.` : 'No early stopping.'} Base:{' '}
            {s.config.epochs} epochs, batch {s.config.batchSize}, {s.config.optimizer.name}.
          </div>
        </Card>
      </div>

      <Card className="mb-5">
        <CardHeader
          title="Parameters → objective"
          description={
            <span className="flex flex-wrap items-center gap-3">
              <span>Parallel coordinates of the parameters that varied; hover a line for its run.</span>
              <Legend color={LINE.best} label="best" />
              <Legend color={LINE.SUCCEEDED} label="completed" />
              <Legend color={LINE.PRUNED} label="pruned" />
              <Legend color={LINE.FAILED} label="failed" />
            </span>
          }
        />
        <div className="p-4">
          {plotted.length ? <ParallelCoordinates axes={axes} lines={lines} height={320} /> : <p className="text-sm text-slate-500">Lines appear as runs log {s.objective.metric}.</p>}
        </div>
      </Card>

      <Card>
        <CardHeader title="Runs" description="One run per trial, in the order the sweep queued them." />
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="sweep-runs">
            <THead>
              <tr>
                <th className="px-4 py-2 font-medium">Trial</th>
                <th className="px-4 py-2 font-medium">Run</th>
                <th className="px-4 py-2 font-medium">Status</th>
                {params.map((p) => (
                  <th key={p} className="px-4 py-2 font-mono text-xs font-medium">
                    {p}
                  </th>
                ))}
                <th className="px-4 py-2 text-right font-medium">{s.objective.metric}</th>
                <th className="px-4 py-2 font-medium">Epochs</th>
                <th className="px-4 py-2 font-medium">Duration</th>
              </tr>
            </THead>
            <tbody className="divide-y divide-slate-100">
              {s.trials.map((t) => (
                <tr key={t.id} className={t.id === s.best?.id ? 'bg-emerald-50' : 'hover:bg-slate-50'} data-best={t.id === s.best?.id || undefined}>
                  <td className="px-4 py-2 text-slate-500">{(t.trial ?? 0) + 1}</td>
                  <td className="px-4 py-2">
                    <Link href={`${basePath}/runs/${t.id}`} className="font-medium text-brand-700 hover:underline">
                      #{t.number}
                    </Link>{' '}
                    {t.id === s.best?.id ? <Badge tone="green">best</Badge> : null}
                  </td>
                  <td className="px-4 py-2" title={t.pruneReason ?? t.error ?? undefined}>
                    <RunStatus status={t.status} />
                  </td>
                  {params.map((p) => (
                    <td key={p} className="px-4 py-2 font-mono text-xs">
                      {fmt(t.params[p])}
                    </td>
                  ))}
                  <td className="px-4 py-2 text-right font-mono text-xs">{fmt(t.objective)}</td>
                  <td className="px-4 py-2 text-xs text-slate-600">{t.progress.epoch ? `${t.progress.epoch} / ${t.progress.epochs}` : '—'}</td>
                  <td className="px-4 py-2 text-xs text-slate-600">{duration(t.startedAt ? new Date(t.startedAt) : null, t.finishedAt ? new Date(t.finishedAt) : null)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </>
  );
}

function Legend({ color, label }: { color: string; label: string }) {
  return (
    <span className="inline-flex items-center gap-1 text-xs">
      <span className="inline-block h-0.5 w-4" style={{ background: color }} /> {label}
    </span>
  );
}
