'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { Download } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useRef, useState } from 'react';
import { isReinforcementEvaluation, isSupervisedEvaluation } from '@/lib/schemas/run-documents';
import { EvaluationView } from '../../../../../../_components/runs/evaluation-view';
import { ChartControls, MetricChart, colorAt, type ChartOptions, type ChartSeries } from '../../../../../../_components/runs/metric-chart';
import { BackendCard } from './backend-card';
import { RunNotes } from './run-notes';
import { RunArchitecture } from './run-architecture';
import { RunReports } from './run-reports';
import { RunDiscussion, RunReview, type Me } from './run-review';
import { RunStatus, duration } from '../../../../../../_components/runs/status';
import { Alert, Badge, Button, Card, CardHeader, PageHeader } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';

type Series = { key: string; context: string; points: { step: number; value: number; epoch: number | null; time: number }[]; total: number };

function groupCharts(series: Series[]) {
  const epoch = new Map<string, ChartSeries[]>();
  const batch: ChartSeries[] = [];
  const system: ChartSeries[] = [];
  const ctxColor: Record<string, string> = { train: '#4f6ef7', validation: '#f59e0b', test: '#10b981' };
  for (const s of series) {
    if (s.context === 'test') continue;
    if (s.context === 'system') system.push({ name: s.key, color: colorAt(system.length), points: s.points });
    else if (s.key.startsWith('batch/')) batch.push({ name: s.key.slice(6), color: colorAt(batch.length), points: s.points });
    else {
      const list = epoch.get(s.key) ?? [];
      list.push({ name: s.context, color: ctxColor[s.context] ?? colorAt(list.length), points: s.points });
      epoch.set(s.key, list);
    }
  }
  return { epoch: [...epoch.entries()], batch, system };
}

export function RunView({ teamId, runId, canWrite, basePath, me }: { teamId: string; runId: string; canWrite: boolean; basePath: string; me: Me }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  // Live events drive refetches; the interval is only a safety net if the stream drops.
  const run = useQuery({ ...trpc.runs.get.queryOptions({ teamId, runId }), refetchInterval: (q) => (q.state.data?.status === 'RUNNING' || q.state.data?.status === 'QUEUED' ? 10_000 : false) });
  const active = run.data?.status === 'RUNNING' || run.data?.status === 'QUEUED';
  const [chartOptions, setChartOptions] = useState<ChartOptions>({ smoothing: 0, xMode: 'step' });
  const [zoom, setZoom] = useState<{ from: number; to: number } | null>(null);
  const seriesInput = { teamId, runId, maxPoints: 600, ...(zoom ? { from: zoom.from, to: zoom.to } : {}) };
  const series = useQuery({ ...trpc.runs.series.queryOptions(seriesInput), refetchInterval: active && !zoom ? 5000 : false });
  const logs = useQuery({ ...trpc.runs.logs.queryOptions({ teamId, runId }), refetchInterval: active ? 5000 : false });
  const pending = useRef<NodeJS.Timeout | null>(null);
  const seen = useRef(new Set<string>());

  // Live: every NOTIFY about this run refetches what changed (coalesced to ≤ 4 per second).
  useSubscription(
    trpc.runs.live.subscriptionOptions(
      { teamId, runId },
      {
        onData: (event) => {
          // Coalesce bursts: remember every kind of event seen, refetch once per 250 ms.
          seen.current.add(event.type);
          if (pending.current) return;
          pending.current = setTimeout(() => {
            pending.current = null;
            const types = seen.current;
            seen.current = new Set();
            const any = (...t: string[]) => t.some((x) => types.has(x));
            if (any('metrics', 'hello', 'run')) void qc.invalidateQueries({ queryKey: trpc.runs.series.queryKey() });
            if (any('run', 'hello', 'checkpoint-report')) void qc.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ teamId, runId }) });
            if (any('checkpoint-report')) void qc.invalidateQueries({ queryKey: trpc.runs.report.queryKey() });
            if (any('log', 'run')) void qc.invalidateQueries({ queryKey: trpc.runs.logs.queryKey({ teamId, runId }) });
          }, 250);
        },
      },
    ),
  );

  const refresh = () => void qc.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ teamId, runId }) });
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: refresh }));
  const retry = useMutation(trpc.runs.retry.mutationOptions({ onSuccess: refresh }));
  const clone = useMutation(trpc.runs.clone.mutationOptions({ onSuccess: (r) => router.push(`${basePath}/runs/${r.id}`) }));
  const charts = useMemo(() => groupCharts(series.data ?? []), [series.data]);

  if (run.error) return <Alert>{run.error.message}</Alert>;
  if (!run.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const r = run.data;
  const progress = r.progress as { epoch?: number; epochs?: number; fraction?: number; etaSeconds?: number } | null;
  const config = r.config as Record<string, unknown>;
  const evaluation = r.evaluation;
  const unit = r.paradigm === 'reinforcement' ? 'episode' : 'epoch';
  const artifacts = ((r.environment ?? {}) as { artifacts?: Array<{ path: string; size: number }> }).artifacts ?? [];

  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            #{r.number} {r.name} <RunStatus status={r.status} queuePosition={r.queuePosition} />
          </span>
        }
        description={
          <>
            {r.source === 'external' ? (
              <>external run (logged through the API)</>
            ) : (
              <>
                {r.paradigm} · {r.architectureVersion ? `${r.architectureVersion.architecture.name} v${r.architectureVersion.version}` : '—'} ·{' '}
                {r.datasetVersion ? `${r.datasetVersion.dataset.name} v${r.datasetVersion.version}` : 'CartPole'}
              </>
            )}{' '}
            · by {r.createdBy?.name ?? 'unknown'} · {duration(r.startedAt, r.finishedAt)}
            {r.backend ? ` · backend ${r.backend}${r.device ? ` on ${r.device}` : ''}` : ''}
          </>
        }
        actions={
          canWrite && r.source !== 'external' ? (
            <div className="flex gap-2">
              {active ? (
                <Button variant="danger" size="sm" disabled={cancel.isPending || !!r.cancelRequestedAt} onClick={() => cancel.mutate({ teamId, runId })}>
                  {r.cancelRequestedAt ? 'Canceling…' : 'Cancel run'}
                </Button>
              ) : null}
              {r.status === 'FAILED' || r.status === 'CANCELED' ? (
                <Button variant="secondary" size="sm" disabled={retry.isPending} onClick={() => retry.mutate({ teamId, runId })}>
                  Retry
                </Button>
              ) : null}
              <Button variant="secondary" size="sm" disabled={clone.isPending} onClick={() => clone.mutate({ teamId, runId, config: {} })}>
                Clone
              </Button>
            </div>
          ) : null
        }
      />
      {r.error ? (
        <Alert className="mb-4" data-testid="run-error">
          {r.error}
        </Alert>
      ) : null}
      {r.sweep ? (
        <Alert tone="info" className="mb-4" data-testid="run-sweep">
          Trial {(r.sweepTrial ?? 0) + 1} of the sweep{' '}
          <Link href={`${basePath}/sweeps/${r.sweep.id}`} className="font-medium underline">
            {r.sweep.name}
          </Link>
          {(r.environment as { pruneReason?: string } | null)?.pruneReason ? ` — ${(r.environment as { pruneReason: string }).pruneReason}` : ''}
        </Alert>
      ) : null}
      {cancel.error || retry.error || clone.error ? <Alert className="mb-4">{(cancel.error ?? retry.error ?? clone.error)!.message}</Alert> : null}

      {progress?.epochs ? (
        <Card className="mb-5 p-4" data-testid="run-progress">
          <div className="mb-1 flex justify-between text-sm">
            <span>
              {unit} {progress.epoch ?? 0} of {progress.epochs}
            </span>
            <span className="text-slate-500">{r.status === 'RUNNING' && progress.etaSeconds !== undefined ? `about ${duration(new Date(0), new Date(progress.etaSeconds * 1000))} left` : ''}</span>
          </div>
          <div className="h-2 overflow-hidden rounded bg-slate-100">
            <div className="h-full bg-brand-600 transition-all" style={{ width: `${Math.round((progress.fraction ?? 0) * 100)}%` }} data-testid="progress-bar" />
          </div>
        </Card>
      ) : null}

      <div className="mb-3">
        <ChartControls options={chartOptions} onChange={setChartOptions} zoomed={!!zoom} onResetZoom={() => setZoom(null)} />
      </div>
      <div className="mb-5 grid gap-4 lg:grid-cols-2" data-testid="run-charts">
        {charts.epoch.map(([key, s]) => (
          <MetricChart
            key={key}
            title={key}
            series={s}
            options={{ ...chartOptions, xMode: chartOptions.xMode === 'step' ? 'epoch' : chartOptions.xMode, timeOrigin: r.startedAt?.getTime() }}
            onZoom={(from, to) => setZoom({ from, to })}
          />
        ))}
        {charts.batch.length ? (
          <MetricChart title="per batch" series={charts.batch} options={{ ...chartOptions, timeOrigin: r.startedAt?.getTime() }} onZoom={(from, to) => setZoom({ from, to })} />
        ) : null}
        {charts.system.length ? <MetricChart title="system" series={charts.system} options={{ smoothing: chartOptions.smoothing, xMode: 'step' }} /> : null}
        {charts.epoch.length === 0 && charts.batch.length === 0 ? <p className="text-sm text-slate-500">No metrics yet; they appear here as soon as the worker logs them.</p> : null}
      </div>

      {isSupervisedEvaluation(evaluation) ? (
        <Card className="mb-5">
          <CardHeader title="Evaluation on the test split" />
          <div className="p-5">
            <EvaluationView evaluation={evaluation} />
          </div>
        </Card>
      ) : isReinforcementEvaluation(evaluation) && r.paradigm === 'reinforcement' ? (
        <Card className="mb-5 p-5 text-sm" data-testid="evaluation">
          {evaluation.solvedAt ? `Solved at episode ${evaluation.solvedAt}` : 'Not solved'} · best 100-episode mean return {evaluation.bestMeanReturn?.toFixed(1) ?? '—'} over {evaluation.episodes}{' '}
          episodes
        </Card>
      ) : null}

      <RunDiscussion teamId={teamId} runId={runId}>
        {r.status === 'SUCCEEDED' && r.paradigm === 'supervised' ? <RunReports teamId={teamId} runId={runId} basePath={basePath} canWrite={canWrite} checkpoints={r.checkpoints} /> : null}
        {r.status === 'SUCCEEDED' ? <RunReview teamId={teamId} runId={runId} me={me} runAuthorId={r.createdById} reviewable modelCardHref={`${basePath}/runs/${runId}/model-card`} /> : null}
      </RunDiscussion>

      {r.architectureVersion ? (
        <RunArchitecture
          spec={r.architectureVersion.spec}
          title={`${r.architectureVersion.architecture.name} v${r.architectureVersion.version}`}
          href={`${basePath}/architectures/${r.architectureVersion.architecture.id}?v=${r.architectureVersion.version}`}
          dataset={
            r.datasetVersion
              ? {
                  name: `${r.datasetVersion.dataset.name} v${r.datasetVersion.version}`,
                  href: `${basePath}/datasets/${r.datasetVersion.dataset.id}?v=${r.datasetVersion.version}`,
                  rows: r.datasetVersion.rowCount,
                  sensitive: r.datasetVersion.sensitiveColumns,
                }
              : null
          }
        />
      ) : null}

      <div className="grid gap-5 lg:grid-cols-2">
        <RunNotes teamId={teamId} runId={runId} notes={r.notes} tags={r.tags} canWrite={canWrite} />
        <Card>
          <CardHeader title="Configuration" />
          <pre className="max-h-80 overflow-auto px-5 py-3 text-xs" data-testid="run-config">
            {JSON.stringify(config, null, 2)}
          </pre>
        </Card>
        <BackendCard backend={r.backend} device={r.device} choice={r.backendChoice} adapter={r.gpuAdapter} />
        {r.source === 'external' ? (
          <Card>
            <CardHeader title="Artifacts" description="Files uploaded through the API (PUT /api/v1/runs/{id}/artifacts/PATH)." />
            {artifacts.length ? (
              <ul className="max-h-80 divide-y divide-slate-100 overflow-auto" data-testid="artifacts">
                {artifacts.map((a) => (
                  <li key={a.path} className="flex items-center justify-between px-5 py-2 text-sm">
                    <span className="font-mono text-xs">{a.path}</span>
                    <a
                      className="inline-flex items-center gap-1 text-xs text-brand-700 hover:underline"
                      href={`/api/v1/runs/${runId}/artifacts/${a.path.split('/').map(encodeURIComponent).join('/')}`}
                    >
                      <Download className="h-3.5 w-3.5" /> {a.size < 1024 ? `${a.size} B` : `${(a.size / 1024).toFixed(1)} KB`}
                    </a>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="px-5 py-4 text-sm text-slate-500">None uploaded.</p>
            )}
          </Card>
        ) : (
          <Card>
            <CardHeader title="Checkpoints" description="TensorFlow.js layers format; the zip loads with tf.loadLayersModel." />
            {r.checkpoints.length ? (
              <ul className="max-h-80 divide-y divide-slate-100 overflow-auto" data-testid="checkpoints">
                {r.checkpoints.map((c) => (
                  <li key={c.id} className="flex items-center justify-between px-5 py-2 text-sm">
                    <span>
                      {c.kind === 'best' ? <Badge tone="green">best</Badge> : <Badge>{unit}</Badge>} {unit} {c.epoch}
                      {c.metric && c.value !== null ? <span className="ml-2 text-xs text-slate-500">{`${c.metric} ${c.value.toFixed(4)}`}</span> : null}
                    </span>
                    <a className="inline-flex items-center gap-1 text-xs text-brand-700 hover:underline" href={`/api/runs/${runId}/checkpoints/${c.id}`}>
                      <Download className="h-3.5 w-3.5" /> zip ({(c.sizeBytes / 1024).toFixed(0)} KB)
                    </a>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="px-5 py-4 text-sm text-slate-500">None yet.</p>
            )}
          </Card>
        )}
      </div>

      <Card className="mt-5">
        <CardHeader title="Logs" />
        <pre className="max-h-96 overflow-auto bg-slate-950 px-4 py-3 text-xs leading-relaxed text-slate-100" data-testid="run-logs">
          {(logs.data ?? []).map((l) => `${new Date(l.time).toISOString().slice(11, 19)} ${l.level === 'info' ? '' : `[${l.level}] `}${l.message}`).join('\n') || 'No log lines yet.'}
        </pre>
      </Card>
      <p className="mt-4 flex gap-4 text-sm">
        <Link href={basePath} className="text-brand-600 hover:underline">
          Back to the project
        </Link>
        <span>
          Metrics:{' '}
          <a className="text-brand-700 hover:underline" href={`/api/runs/export?runs=${runId}&format=csv`}>
            CSV
          </a>{' '}
          ·{' '}
          <a className="text-brand-700 hover:underline" href={`/api/runs/export?runs=${runId}&format=json`}>
            JSON
          </a>
        </span>
      </p>
    </>
  );
}
