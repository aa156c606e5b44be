'use client';

import { useEffect, useRef, useState } from 'react';
import type { ExplainReport, ImageExplanation } from '@/lib/schemas/run-documents';
import type { CommentAnchor } from '@/lib/schemas/reviews';
import { CommentButton } from '../reviews/comment-anchors';
import { Card, CardHeader, cn, Select } from '../ui';
import { num } from './format';

function Bars({ items, signed = false, testId, anchor }: { items: { name: string; value: number; detail?: string }[]; signed?: boolean; testId?: string; anchor?: (name: string) => CommentAnchor }) {
  const max = Math.max(1e-12, ...items.map((i) => Math.abs(i.value)));
  return (
    <div className="space-y-1 text-xs" data-testid={testId}>
      {items.map((p) => (
        <div key={p.name} className="flex items-center gap-2">
          <span className="w-40 shrink-0 truncate" title={p.name}>
            {p.name}
          </span>
          {signed ? (
            <span className="flex w-[240px] shrink-0">
              <span className="flex w-1/2 justify-end">{p.value < 0 ? <span className="h-2 rounded-l bg-red-500/70" style={{ width: `${(Math.abs(p.value) / max) * 100}%` }} /> : null}</span>
              <span className="flex w-1/2 border-l border-slate-300">{p.value > 0 ? <span className="h-2 rounded-r bg-emerald-500/70" style={{ width: `${(p.value / max) * 100}%` }} /> : null}</span>
            </span>
          ) : (
            <span className="h-2 rounded bg-brand-500/70" style={{ width: `${Math.max(2, (Math.max(0, p.value) / max) * 200)}px` }} />
          )}
          <span className="font-mono text-slate-500">{p.detail ?? p.value.toPrecision(3)}</span>
          {anchor ? <CommentButton anchor={anchor(p.name)} /> : null}
        </div>
      ))}
    </div>
  );
}

/** Integrated gradients of one chosen example, summed over each source feature's columns, per output. */
function IgExamples({ ex }: { ex: ExplainReport }) {
  const ig = ex.integratedGradients!;
  const [pick, setPick] = useState(0);
  const [output, setOutput] = useState(0);
  const example = ig.examples[pick];
  if (!example) return null;
  const out = example.outputs[Math.min(output, example.outputs.length - 1)]!;
  const perFeature = ex.features
    .map((f) => ({ name: f.name, value: f.columns.reduce((s, c) => s + (out.attributions[c] ?? 0), 0) }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, 12);
  const sum = out.attributions.reduce((s, v) => s + v, 0);
  return (
    <div className="space-y-2" data-testid="ig-examples">
      <div className="flex flex-wrap items-center gap-2 text-xs print:hidden">
        <Select aria-label="Example" value={pick} onChange={(e) => setPick(Number(e.target.value))} className="w-auto">
          {ig.examples.map((e, i) => (
            <option key={e.row} value={i}>
              test row {e.row + 1} (label {e.label})
            </option>
          ))}
        </Select>
        {example.outputs.length > 1 ? (
          <Select aria-label="Output" value={output} onChange={(e) => setOutput(Number(e.target.value))} className="w-auto">
            {example.outputs.map((o, i) => (
              <option key={o.output} value={i}>
                attributions to {o.name}
              </option>
            ))}
          </Select>
        ) : null}
      </div>
      <p className="text-xs text-slate-600">
        f(x) = {num(out.value, 4)}, f(baseline) = {num(out.baselineValue, 4)}; Σ attributions = {num(sum, 4)}; completeness δ = {out.delta.toExponential(2)} ({(out.relativeDelta * 100).toFixed(2)} %
        of |f(x) − f(baseline)|, {out.steps} steps). Green pushes the output up, red down.
      </p>
      <Bars items={perFeature} signed testId="ig-bars" />
    </div>
  );
}

const MAPS = { saliency: 'Saliency |∂f/∂x|', gradientTimesInput: 'Gradient × input', occlusion: 'Occlusion (drop in f)' } as const;

/** The input image with a heat overlay of one attribution map, drawn on a canvas. */
function Overlay({ image, map }: { image: ImageExplanation; map: keyof typeof MAPS }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const { width: w, height: h } = image;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(w, h);
    const values = image[map];
    const max = Math.max(1e-12, ...values.map(Math.abs));
    const ch = image.channels ?? 1;
    const pixels = image.pixels ?? [];
    const pmax = Math.max(1e-12, ...pixels);
    for (let i = 0; i < w * h; i++) {
      const base = pixels.length ? (ch === 1 ? pixels[i]! : (pixels[i * ch]! + pixels[i * ch + 1]! + pixels[i * ch + 2]!) / 3) / pmax : 0.5;
      const a = Math.min(1, Math.abs(values[i] ?? 0) / max);
      // grey image, then red heat blended by attribution strength
      img.data[i * 4] = Math.round(base * 255 * (1 - a) + 239 * a);
      img.data[i * 4 + 1] = Math.round(base * 255 * (1 - a) + 68 * a);
      img.data[i * 4 + 2] = Math.round(base * 255 * (1 - a) + 68 * a);
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [image, map]);
  return <canvas ref={ref} width={image.width} height={image.height} className="h-28 w-28 rounded border border-slate-200 [image-rendering:pixelated]" />;
}

function ImageMaps({ images }: { images: ImageExplanation[] }) {
  const [map, setMap] = useState<keyof typeof MAPS>('saliency');
  return (
    <div className="space-y-2" data-testid="saliency-overlays">
      <div className="flex gap-1 text-xs print:hidden">
        {(Object.keys(MAPS) as (keyof typeof MAPS)[]).map((k) => (
          <button key={k} onClick={() => setMap(k)} className={cn('rounded px-2 py-1', k === map ? 'bg-brand-100 text-brand-700' : 'text-slate-600 hover:bg-slate-100')}>
            {MAPS[k]}
          </button>
        ))}
      </div>
      <div className="flex flex-wrap gap-4">
        {images.map((im) => (
          <figure key={im.row} className="text-center text-xs text-slate-500">
            <Overlay image={im} map={map} />
            <figcaption className="mt-1">
              test row {im.row + 1}, class {im.output}
            </figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}

/** Which inputs drive predictions: importance, integrated gradients, group summaries, image maps. */
export function ExplainReportView({ ex }: { ex: ExplainReport }) {
  const perm =
    ex.permutation?.features
      .slice()
      .sort((a, b) => b.mean - a.mean)
      .slice(0, 15) ?? [];
  const ig = ex.integratedGradients;
  const proxies = ex.groups.flatMap((g) => g.proxies.filter((p) => p.flag).map((p) => ({ attribute: g.attribute, ...p })));
  return (
    <Card data-testid="explain-report">
      <CardHeader
        title="What drives predictions"
        description={
          ex.permutation
            ? `Permutation importance on ${ex.permutation.rows} test rows, ${ex.permutation.repeats} seeded repeats (drop in ${ex.permutation.score}, ± one standard deviation).`
            : 'Explainability'
        }
      />
      <div className="space-y-5 p-5">
        {perm.length ? (
          <Bars
            items={perm.map((p) => ({ name: p.name, value: p.mean, detail: `${p.mean.toFixed(4)} ± ${p.std.toFixed(4)}` }))}
            testId="importance-bars"
            anchor={(name) => ({ kind: 'attribution', key: `permutation/${name}` })}
          />
        ) : null}
        {ig ? (
          <section className="space-y-2 break-inside-avoid">
            <h3 className="text-sm font-semibold">Integrated gradients</h3>
            <p className="text-xs text-slate-500">
              {ig.examples.length} examples, {ig.steps} steps ({ig.rule}), baseline {ig.baseline}; largest completeness gap{' '}
              {Math.max(0, ...ig.examples.flatMap((e) => e.outputs.map((o) => Math.abs(o.relativeDelta ?? 0)))).toExponential(1)} of |f(x) − f(baseline)|.
            </p>
            {ig.globalMeanAbs.length ? (
              <>
                <p className="text-xs font-medium text-slate-600">Mean |attribution| over {ig.rows} test rows</p>
                <Bars
                  items={ig.globalMeanAbs
                    .slice()
                    .sort((a, b) => b.value - a.value)
                    .slice(0, 12)
                    .map((g) => ({ name: g.feature, value: g.value }))}
                  testId="ig-global"
                  anchor={(name) => ({ kind: 'attribution', key: `integrated-gradients/${name}` })}
                />
              </>
            ) : null}
            {ex.dataKind !== 'image' ? <IgExamples ex={ex} /> : null}
          </section>
        ) : null}
        {ex.groups.length ? (
          <section className="space-y-2 break-inside-avoid" data-testid="group-attributions">
            <h3 className="text-sm font-semibold">Attributions by sensitive group</h3>
            {ex.groups.map((g) => (
              <div key={g.attribute} className="overflow-x-auto">
                <table className="w-full text-xs">
                  <thead className="text-left text-slate-500">
                    <tr>
                      <th className="py-1">Mean |IG| by {g.attribute}</th>
                      {g.groups.map((x) => (
                        <th key={x.value} className="text-right">
                          {x.value} (n={x.count})
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {g.features
                      .map((f, k) => ({ f, k, overall: g.overallMeanAbs[k] ?? 0 }))
                      .sort((a, b) => b.overall - a.overall)
                      .slice(0, 8)
                      .map(({ f, k }) => (
                        <tr key={f}>
                          <td className="py-0.5">{f}</td>
                          {g.groups.map((x) => (
                            <td key={x.value} className="text-right font-mono">
                              {num(x.meanAbs[k], 4)}
                            </td>
                          ))}
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            ))}
            {proxies.length ? (
              <p className="text-xs text-amber-700" data-testid="proxy-flags">
                {proxies
                  .map(
                    (p) =>
                      `${p.feature} ${p.flag === 'direct' ? 'is' : 'may be a proxy for'} ${p.attribute} (association ${p.valueAssociation.toFixed(2)}, ${(p.share * 100).toFixed(0)} % of attribution)`,
                  )
                  .join('; ')}
              </p>
            ) : (
              <p className="text-xs text-slate-500">No feature both tracks a sensitive attribute and carries a large share of the attributions.</p>
            )}
          </section>
        ) : null}
        {ex.images?.length ? (
          <section className="space-y-2 break-inside-avoid">
            <h3 className="text-sm font-semibold">Image attributions</h3>
            <ImageMaps images={ex.images} />
          </section>
        ) : null}
        {ex.skipped.length ? <p className="text-xs text-slate-400">Not computed: {ex.skipped.join('; ')}</p> : null}
      </div>
    </Card>
  );
}
