'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import type { BiasProfile } from '@/lib/datasets/bias';
import type { CsvProfile } from '@/lib/datasets/csv';
import type { DatasetColumn } from '@/lib/datasets/schema';
import { BiasProfileView, ColumnsTable, ImageGrid } from '../../../../../../_components/datasets/profile-views';
import { Alert, Badge, Card, CardHeader, EmptyState, PageHeader } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';

function taskText(task: { kind: string; positiveClass?: string; classes?: string[] } | null): string {
  if (!task) return 'no label';
  if (task.kind === 'binary') return `binary (positive: ${task.positiveClass})`;
  if (task.kind === 'multiclass') return `multiclass (${task.classes?.length} classes)`;
  return 'regression';
}

function Sparkline({ values }: { values: number[] }) {
  const w = 220;
  const h = 48;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pts = values.map((v, i) => `${(i / Math.max(1, values.length - 1)) * w},${h - ((v - min) / Math.max(1e-9, max - min)) * (h - 4) - 2}`).join(' ');
  return (
    <svg width={w} height={h} aria-hidden="true">
      <polyline points={pts} fill="none" stroke="#4f6ef7" strokeWidth="1.5" />
    </svg>
  );
}

export function DatasetView({ teamId, datasetId, basePath }: { teamId: string; datasetId: string; basePath: string }) {
  const trpc = useTRPC();
  const search = useSearchParams();
  const requested = search.get('v') ? Number(search.get('v')) : undefined;
  const dataset = useQuery(trpc.datasets.get.queryOptions({ teamId, datasetId }));
  const version = useQuery(trpc.datasets.version.queryOptions({ teamId, datasetId, version: requested }));
  if (dataset.error || version.error) return <Alert>{(dataset.error ?? version.error)!.message}</Alert>;
  if (!dataset.data || !version.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const d = dataset.data;
  const v = version.data;
  const profile = v.profile as {
    csv?: CsvProfile;
    bias?: BiasProfile | null;
    images?: { previews: { className: string; images: string[] }[]; counts: number[]; classNames: string[]; width: number; height: number; channels: number };
    sequences?: { classNames: string[]; counts: number[]; length: number; examples: { className: string; values: number[] }[] };
  };
  const columns = (v.schema as { columns?: DatasetColumn[] }).columns;
  const source = v.source as { kind: string; filename?: string; generator?: string };

  return (
    <>
      <PageHeader
        title={
          <span>
            {d.name} <Badge tone="brand">v{v.version}</Badge> <Badge>{d.kind}</Badge>
          </span>
        }
        description={`${source.kind === 'synthetic' ? `generated (${source.generator})` : (source.filename ?? source.kind)} · ${v.message || 'no message'}`}
      />
      <div className="mb-6 grid gap-4 sm:grid-cols-4" data-testid="dataset-overview">
        <Card className="p-4">
          <div className="text-xs uppercase tracking-wide text-slate-500">Rows</div>
          <div className="text-xl font-semibold">{v.rowCount.toLocaleString()}</div>
        </Card>
        <Card className="p-4">
          <div className="text-xs uppercase tracking-wide text-slate-500">Task</div>
          <div className="text-sm font-medium">{taskText(v.task as never)}</div>
          {v.labelColumn ? <div className="text-xs text-slate-500">label: {v.labelColumn}</div> : null}
        </Card>
        <Card className="p-4">
          <div className="text-xs uppercase tracking-wide text-slate-500">Split (seed {v.split.settings.seed})</div>
          <div className="text-sm font-medium" data-testid="split-counts">
            {v.split.counts.train.toLocaleString()} / {v.split.counts.validation.toLocaleString()} / {v.split.counts.test.toLocaleString()}
          </div>
          <div className="text-xs text-slate-500">train / validation / test, stratified by {v.split.settings.stratify}</div>
        </Card>
        <Card className="p-4">
          <div className="text-xs uppercase tracking-wide text-slate-500">Sensitive attributes</div>
          <div className="text-sm font-medium">{v.sensitiveColumns.length ? v.sensitiveColumns.join(', ') : '—'}</div>
        </Card>
      </div>

      {profile.bias ? (
        <Card className="mb-6">
          <CardHeader title="Bias profile" description="How often each group has the positive label in the data itself, before any model: gaps here are what a model learns from." />
          <div className="p-5">
            <BiasProfileView bias={profile.bias} />
          </div>
        </Card>
      ) : v.labelColumn && d.kind !== 'image' && d.kind !== 'sequence' ? (
        <Alert tone="info" className="mb-6">
          No sensitive attribute is marked, so there is no bias profile. Mark columns such as sex, race or age band as sensitive in a new version.
        </Alert>
      ) : null}

      {profile.csv ? (
        <Card className="mb-6">
          <CardHeader title="Columns" description="Inferred types, roles, missing values and distributions." />
          <div className="overflow-x-auto">
            <ColumnsTable columns={profile.csv.columns} rowCount={profile.csv.rowCount} choices={columns?.map((c) => ({ ...c, useAsFeature: c.useAsFeature ?? false }))} />
          </div>
        </Card>
      ) : null}

      {profile.images ? (
        <Card className="mb-6">
          <CardHeader title="Images" description={`${profile.images.width}×${profile.images.height} ${profile.images.channels === 1 ? 'grayscale' : 'RGB'}`} />
          <div className="p-5">
            <ImageGrid previews={profile.images.previews} counts={profile.images.counts} />
          </div>
        </Card>
      ) : null}

      {profile.sequences ? (
        <Card className="mb-6">
          <CardHeader title="Sequences" description={`${profile.sequences.length} steps each; one example per class`} />
          <div className="grid gap-4 p-5 sm:grid-cols-3">
            {profile.sequences.examples.map((e, i) => (
              <div key={e.className} className="rounded border border-slate-200 p-3">
                <div className="mb-1 flex justify-between text-sm">
                  <span className="font-medium">{e.className}</span>
                  <span className="text-xs text-slate-500">{profile.sequences!.counts[i]} sequences</span>
                </div>
                <Sparkline values={e.values} />
              </div>
            ))}
          </div>
        </Card>
      ) : null}

      <Card>
        <CardHeader title="Versions" description="Versions are immutable; runs pin one." />
        {d.versions.length ? (
          <ul className="divide-y divide-slate-100">
            {d.versions.map((ver) => (
              <li key={ver.version} className="flex items-center justify-between px-5 py-2.5 text-sm">
                <span>
                  <Link href={`${basePath}?v=${ver.version}`} className="font-medium text-brand-700 hover:underline">
                    v{ver.version}
                  </Link>{' '}
                  {ver.message}
                </span>
                <span className="text-xs text-slate-500">
                  {ver.rowCount.toLocaleString()} rows · {(ver.sizeBytes / 1024 / 1024).toFixed(1)} MB · {ver.createdBy ?? 'unknown'} · {ver.createdAt.toLocaleString()}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <div className="p-5">
            <EmptyState title="No versions" />
          </div>
        )}
      </Card>
    </>
  );
}
