'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { formatShape } from '@/lib/arch/infer';
import type { LayerDiff } from '@/lib/arch/diff';
import { Alert, Badge, Card, PageHeader, Select, cn } from '../../../../../../../_components/ui';
import { useTRPC } from '../../../../../../../_trpc/client';

function fmt(v: unknown): string {
  if (v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function delta(n: number | null): string {
  if (n === null) return '?';
  return n === 0 ? '±0' : n > 0 ? `+${n.toLocaleString()}` : `−${Math.abs(n).toLocaleString()}`;
}

const STATUS_STYLE = {
  added: { row: 'bg-emerald-50', sign: '+', tone: 'green' as const },
  removed: { row: 'bg-red-50', sign: '−', tone: 'red' as const },
  changed: { row: 'bg-amber-50', sign: '~', tone: 'amber' as const },
  unchanged: { row: '', sign: '·', tone: 'slate' as const },
};

function LayerRow({ d }: { d: LayerDiff }) {
  const s = STATUS_STYLE[d.status];
  const ref = d.after ?? d.before!;
  return (
    <tr className={cn(s.row, 'align-top')} data-testid={`diff-${d.status}`}>
      <td className="px-3 py-2 font-mono text-slate-500">{s.sign}</td>
      <td className="px-3 py-2">
        <span className="font-medium">{ref.name}</span> <span className="text-xs text-slate-500">{ref.type}</span>
        {d.before && d.after && d.before.index !== d.after.index ? (
          <span className="ml-1 text-xs text-slate-400">
            (#{d.before.index} → #{d.after.index})
          </span>
        ) : null}
        {d.status === 'unchanged' && (d.paramsDelta ?? 0) !== 0 ? <span className="ml-2 text-xs text-slate-500">same options; its input changed</span> : null}
        {d.changes.length ? (
          <ul className="mt-1 space-y-0.5 text-xs">
            {d.changes.map((c) => (
              <li key={c.option}>
                <span className="font-mono text-slate-600">{c.option}</span>: <span className="text-red-700 line-through">{fmt(c.before)}</span> →{' '}
                <span className="font-medium text-emerald-800">{fmt(c.after)}</span>
              </li>
            ))}
          </ul>
        ) : null}
      </td>
      <td className="px-3 py-2 font-mono text-xs">
        {d.before?.outputShape && d.after?.outputShape && formatShape(d.before.outputShape) !== formatShape(d.after.outputShape) ? (
          <>
            <span className="text-red-700 line-through">{formatShape(d.before.outputShape)}</span> {formatShape(d.after.outputShape)}
          </>
        ) : ref.outputShape ? (
          formatShape(ref.outputShape)
        ) : (
          '?'
        )}
      </td>
      <td className="px-3 py-2 text-right font-mono text-xs">{d.before?.params?.toLocaleString() ?? '—'}</td>
      <td className="px-3 py-2 text-right font-mono text-xs">{d.after?.params?.toLocaleString() ?? '—'}</td>
      <td className={cn('px-3 py-2 text-right font-mono text-xs', (d.paramsDelta ?? 0) > 0 && 'text-emerald-700', (d.paramsDelta ?? 0) < 0 && 'text-red-700')}>{delta(d.paramsDelta)}</td>
    </tr>
  );
}

export function DiffView(props: { teamId: string; architectureId: string; name: string; versions: Array<{ version: number; message: string }>; from: number; to: number; basePath: string }) {
  const { teamId, architectureId, from, to, basePath } = props;
  const trpc = useTRPC();
  const router = useRouter();
  const [showUnchanged, setShowUnchanged] = useState(false);
  const diff = useQuery(trpc.architectures.diff.queryOptions({ teamId, architectureId, from, to }));
  const go = (f: number, t: number) => router.push(`${basePath}/diff?from=${f}&to=${t}`);

  return (
    <>
      <PageHeader
        title={`${props.name}: v${from} → v${to}`}
        description={
          <Link href={basePath} className="text-brand-600 hover:underline">
            Back to the editor
          </Link>
        }
        actions={
          <div className="flex items-center gap-2 text-sm">
            <Select aria-label="From version" value={from} onChange={(e) => go(Number(e.target.value), to)}>
              {props.versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} {v.message.slice(0, 30)}
                </option>
              ))}
            </Select>
            →
            <Select aria-label="To version" value={to} onChange={(e) => go(from, Number(e.target.value))}>
              {props.versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} {v.message.slice(0, 30)}
                </option>
              ))}
            </Select>
          </div>
        }
      />
      {diff.error ? <Alert>{diff.error.message}</Alert> : null}
      {diff.data ? (
        <div className="space-y-5">
          <Card className="flex flex-wrap items-center gap-x-6 gap-y-2 px-5 py-3 text-sm" data-testid="diff-summary">
            <span>
              <Badge tone="green">{diff.data.diff.counts.added} added</Badge>
            </span>
            <span>
              <Badge tone="red">{diff.data.diff.counts.removed} removed</Badge>
            </span>
            <span>
              <Badge tone="amber">{diff.data.diff.counts.changed} changed</Badge>
            </span>
            <span className="text-slate-500">{diff.data.diff.counts.unchanged} unchanged</span>
            <span data-testid="params-delta">
              Parameters {diff.data.diff.params.total.before?.toLocaleString() ?? '?'} → {diff.data.diff.params.total.after?.toLocaleString() ?? '?'}{' '}
              <strong className={cn((diff.data.diff.params.total.delta ?? 0) > 0 ? 'text-emerald-700' : (diff.data.diff.params.total.delta ?? 0) < 0 ? 'text-red-700' : '')}>
                ({delta(diff.data.diff.params.total.delta)})
              </strong>
            </span>
            <label className="ml-auto flex items-center gap-2 text-slate-600">
              <input type="checkbox" className="accent-brand-600" checked={showUnchanged} onChange={(e) => setShowUnchanged(e.target.checked)} /> Show unchanged layers
            </label>
          </Card>
          {diff.data.diff.settings.length ? (
            <Card className="px-5 py-3 text-sm">
              {diff.data.diff.settings.map((c) => (
                <p key={c.option}>
                  <span className="font-mono">{c.option}</span>: {fmt(c.before)} → <strong>{fmt(c.after)}</strong>
                </p>
              ))}
            </Card>
          ) : null}
          {diff.data.diff.parts.map((p) => (
            <Card key={p.part} className="overflow-hidden">
              <div className="flex items-center justify-between border-b border-slate-100 bg-slate-50 px-4 py-2 text-sm">
                <span className="font-semibold capitalize">{p.part}</span>
                <span className="text-slate-500">
                  {p.status !== 'kept' ? <Badge tone={p.status === 'added' ? 'green' : 'red'}>{p.status}</Badge> : null} params {delta(p.paramsDelta)}
                </span>
              </div>
              <table className="w-full text-sm">
                <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th className="w-6 px-3 py-2" />
                    <th className="px-3 py-2 font-medium">Layer</th>
                    <th className="px-3 py-2 font-medium">Output shape</th>
                    <th className="px-3 py-2 text-right font-medium">v{from} params</th>
                    <th className="px-3 py-2 text-right font-medium">v{to} params</th>
                    <th className="px-3 py-2 text-right font-medium">Δ</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {p.layers
                    .filter((d) => showUnchanged || d.status !== 'unchanged' || (d.paramsDelta ?? 0) !== 0)
                    .map((d, i) => (
                      <LayerRow key={i} d={d} />
                    ))}
                </tbody>
              </table>
            </Card>
          ))}
        </div>
      ) : (
        <p className="text-sm text-slate-500">Loading…</p>
      )}
    </>
  );
}
