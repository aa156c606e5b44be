'use client';

import type { SupervisedEvaluation } from '@/lib/schemas/run-documents';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/** A supervised run's stored evaluation (lib/schemas/run-documents.ts). */
export type EvaluationData = SupervisedEvaluation;

function Curve({ title, x, y, xLabel, yLabel, diagonal }: { title: string; x: number[]; y: number[]; xLabel: string; yLabel: string; diagonal?: boolean }) {
  const step = Math.max(1, Math.ceil(x.length / 400));
  const data = x.filter((_, i) => i % step === 0 || i === x.length - 1).map((v, j) => ({ x: v, y: y[Math.min(y.length - 1, j * step)] }));
  return (
    <div className="rounded-lg border border-slate-200 p-3">
      <div className="mb-1 text-sm font-medium">{title}</div>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 5, right: 10, bottom: 5, left: 0 }}>
          <CartesianGrid stroke="#f1f5f9" />
          <XAxis dataKey="x" type="number" domain={[0, 1]} tick={{ fontSize: 11 }} label={{ value: xLabel, position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
          <YAxis domain={[0, 1]} tick={{ fontSize: 11 }} width={40} label={{ value: yLabel, angle: -90, position: 'insideLeft', fontSize: 11 }} />
          <Tooltip formatter={(v) => Number(v).toFixed(3)} />
          <Line dataKey="y" stroke="#4f6ef7" dot={false} strokeWidth={1.8} isAnimationActive={false} type="linear" />
          {diagonal ? (
            <Line
              data={[
                { x: 0, y: 0 },
                { x: 1, y: 1 },
              ]}
              dataKey="y"
              stroke="#cbd5e1"
              strokeDasharray="4 4"
              dot={false}
              isAnimationActive={false}
            />
          ) : null}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export function ConfusionMatrix({ matrix, labels }: { matrix: number[][]; labels: string[] }) {
  const max = Math.max(1, ...matrix.flat());
  return (
    <div className="overflow-x-auto" data-testid="confusion-matrix">
      <table className="text-xs">
        <thead>
          <tr>
            <th className="px-2 py-1 text-right text-slate-400">true \ predicted</th>
            {labels.map((l) => (
              <th key={l} className="px-2 py-1 font-medium">
                {l}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => (
            <tr key={i}>
              <th className="px-2 py-1 text-right font-medium">{labels[i]}</th>
              {row.map((v, j) => (
                <td
                  key={j}
                  className="h-10 min-w-14 border border-white px-2 text-center font-mono"
                  style={{ background: `rgba(${i === j ? '79,110,247' : '239,68,68'}, ${0.08 + (v / max) * 0.8})`, color: v / max > 0.55 ? 'white' : undefined }}
                >
                  {v.toLocaleString()}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function EvaluationView({ evaluation }: { evaluation: EvaluationData }) {
  if (evaluation.task === 'regression') {
    const r = evaluation.report;
    return (
      <div className="grid gap-4 sm:grid-cols-3" data-testid="evaluation">
        {(['mae', 'rmse', 'r2'] as const).map((k) => (
          <div key={k} className="rounded-lg border border-slate-200 p-4">
            <div className="text-xs uppercase tracking-wide text-slate-500">{k === 'r2' ? 'R²' : k.toUpperCase()}</div>
            <div className="text-xl font-semibold">{r[k]?.toFixed(4) ?? '—'}</div>
          </div>
        ))}
      </div>
    );
  }
  const r = evaluation.report;
  const labels = evaluation.classNames ?? r.confusion?.map((_, i) => String(i)) ?? [];
  return (
    <div className="space-y-5" data-testid="evaluation">
      <div className="grid gap-4 sm:grid-cols-4">
        <div className="rounded-lg border border-slate-200 p-4">
          <div className="text-xs uppercase tracking-wide text-slate-500">Accuracy</div>
          <div className="text-xl font-semibold" data-testid="test-accuracy">
            {r.accuracy !== undefined ? (r.accuracy * 100).toFixed(2) + '%' : '—'}
          </div>
        </div>
        <div className="rounded-lg border border-slate-200 p-4">
          <div className="text-xs uppercase tracking-wide text-slate-500">Macro F1</div>
          <div className="text-xl font-semibold">{r.macro?.f1.toFixed(4) ?? '—'}</div>
        </div>
        <div className="rounded-lg border border-slate-200 p-4">
          <div className="text-xs uppercase tracking-wide text-slate-500">ROC AUC</div>
          <div className="text-xl font-semibold">{r.roc?.auc.toFixed(4) ?? '—'}</div>
        </div>
        <div className="rounded-lg border border-slate-200 p-4">
          <div className="text-xs uppercase tracking-wide text-slate-500">Test examples</div>
          <div className="text-xl font-semibold">{evaluation.testExamples?.toLocaleString() ?? '—'}</div>
        </div>
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="rounded-lg border border-slate-200 p-3">
          <div className="mb-2 text-sm font-medium">Confusion matrix</div>
          {r.confusion ? <ConfusionMatrix matrix={r.confusion} labels={labels} /> : null}
          {r.perClass ? (
            <table className="mt-3 w-full text-xs">
              <thead className="text-slate-500">
                <tr>
                  <th className="text-left">class</th>
                  <th className="text-right">precision</th>
                  <th className="text-right">recall</th>
                  <th className="text-right">F1</th>
                  <th className="text-right">support</th>
                </tr>
              </thead>
              <tbody>
                {r.perClass.map((c, i) => (
                  <tr key={i}>
                    <td>{labels[i]}</td>
                    <td className="text-right font-mono">{c.precision.toFixed(3)}</td>
                    <td className="text-right font-mono">{c.recall.toFixed(3)}</td>
                    <td className="text-right font-mono">{c.f1.toFixed(3)}</td>
                    <td className="text-right font-mono">{c.support}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
        {r.roc ? <Curve title={`ROC (AUC ${r.roc.auc.toFixed(3)})`} x={r.roc.fpr} y={r.roc.tpr} xLabel="false positive rate" yLabel="true positive rate" diagonal /> : null}
        {r.pr ? <Curve title={`Precision–recall (AP ${r.pr.averagePrecision.toFixed(3)})`} x={r.pr.recall} y={r.pr.precision} xLabel="recall" yLabel="precision" /> : null}
      </div>
    </div>
  );
}
