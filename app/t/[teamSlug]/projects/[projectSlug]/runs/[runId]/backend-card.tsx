'use client';

import { adapterLabel, ZBackendChoice, ZGpuAdapter } from '@/lib/schemas/backends';
import { Badge, Card, CardHeader, THead } from '../../../../../../_components/ui';

const fmt = (v: number | undefined, digits = 1) => (v === undefined ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits }));

/** Which backend the run trained on and how it was chosen: autotuning's timed candidates, or pinned. */
export function BackendCard({ backend, device, choice, adapter }: { backend: string | null; device: string | null; choice: unknown; adapter: unknown }) {
  const parsed = ZBackendChoice.safeParse(choice);
  const gpu = ZGpuAdapter.safeParse(adapter);
  const c = parsed.success ? parsed.data : null;
  const how = !c
    ? 'Chosen by the worker.'
    : c.mode === 'pinned'
      ? 'Pinned by the run configuration.'
      : c.mode === 'worker'
        ? 'The only backend the worker loaded.'
        : c.cached
          ? 'Chosen by autotuning; the worker reused its timing of this architecture version at this batch size.'
          : `Chosen by autotuning: a few training batches timed on each backend that has this model's kernels.`;
  return (
    <Card data-testid="run-backend">
      <CardHeader
        title="Backend"
        description={
          <>
            {backend ? <span className="font-mono">{backend}</span> : 'not started'}
            {device ? ` on ${device}` : ''}. {how}
          </>
        }
      />
      {gpu.success ? (
        <p className="px-5 pt-3 text-xs text-slate-600" data-testid="run-gpu-adapter">
          GPU adapter: {adapterLabel(gpu.data)} — {gpu.data.description}
        </p>
      ) : null}
      {c && c.candidates.length ? (
        <table className="mt-2 w-full text-sm" data-testid="backend-candidates">
          <THead>
            <tr>
              <th className="px-5 py-2 font-medium">Candidate</th>
              <th className="px-5 py-2 text-right font-medium">ms / batch</th>
              <th className="px-5 py-2 text-right font-medium">samples / s</th>
              <th className="px-5 py-2 font-medium">Note</th>
            </tr>
          </THead>
          <tbody className="divide-y divide-slate-100">
            {c.candidates.map((k) => (
              <tr key={k.backend}>
                <td className="px-5 py-2">
                  <span className="font-mono text-xs">{k.backend}</span> {k.backend === c.backend ? <Badge tone="green">chosen</Badge> : null}
                </td>
                <td className="px-5 py-2 text-right tabular-nums">{fmt(k.msPerBatch, 2)}</td>
                <td className="px-5 py-2 text-right tabular-nums">{fmt(k.samplesPerSec, 0)}</td>
                <td className="px-5 py-2 text-xs text-slate-500">{k.ok ? (k.reason ?? (k.batchesTimed ? `${k.batchesTimed} batches timed` : '')) : (k.reason ?? 'not a candidate')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {c ? (
        <p className="px-5 py-2 text-xs text-slate-400">
          Batch size {c.batchSize ?? '—'} · decided {new Date(c.decidedAt).toLocaleString()}
        </p>
      ) : null}
    </Card>
  );
}
