import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { withInterval, VERDICT_WORDS, type ModelCard } from '@/lib/model-card';
import { can } from '@/lib/roles';
import { DomainError } from '@/server/services/errors';
import { getModelCard } from '@/server/services/model-cards';
import { Badge } from '../../../../../../../_components/ui';
import { loadProject } from '../../../project';
import { CardText, PrintButton } from './model-card-parts';

export const metadata: Metadata = { title: 'Model card' };

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const fmt = (v: number | null, d = 3) => (v === null ? '—' : v.toFixed(d));

function Section({ title, children, id }: { title: string; children: React.ReactNode; id?: string }) {
  return (
    <section className="break-inside-avoid-page border-t border-slate-200 py-4" id={id} data-testid={id}>
      <h2 className="mb-2 text-lg font-semibold">{title}</h2>
      <div className="space-y-2 text-sm">{children}</div>
    </section>
  );
}

export default async function ModelCardPage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string; runId: string }> }) {
  const { teamSlug, projectSlug, runId } = await params;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  const card: ModelCard = await getModelCard(team.id, runId).catch((err) => {
    if (err instanceof DomainError && err.code === 'NOT_FOUND') notFound();
    throw err;
  });
  const runHref = `/t/${team.slug}/projects/${project.slug}/runs/${runId}`;
  const editable = can.write(team.role);
  const md = card.modelDetails;
  return (
    <article className="mx-auto max-w-4xl print:max-w-none print:text-[11px]" data-testid="model-card">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3 print:hidden">
        <Link href={runHref} className="text-sm text-brand-600 hover:underline">
          ← Back to the run
        </Link>
        <div className="flex items-center gap-3 text-sm">
          <a className="text-brand-700 hover:underline" href={`/api/runs/${runId}/model-card?format=md`} data-testid="export-md">
            Markdown
          </a>
          <a className="text-brand-700 hover:underline" href={`/api/runs/${runId}/model-card?format=json`} data-testid="export-json">
            JSON
          </a>
          <PrintButton />
        </div>
      </div>
      <header className="pb-3">
        <p className="text-xs uppercase tracking-wide text-slate-500">Model card</p>
        <h1 className="text-2xl font-semibold tracking-tight">
          #{card.run.number} {card.run.name}
        </h1>
        <p className="text-sm text-slate-500">
          {card.run.team} · {card.run.project} · {card.run.paradigm} run by {card.run.author ?? 'unknown'} · {card.run.status.toLowerCase()} · generated{' '}
          {card.generatedAt.slice(0, 16).replace('T', ' ')} UTC
        </p>
      </header>

      <Section title="Model details" id="card-details">
        <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-1">
          <dt className="text-slate-500">Architecture</dt>
          <dd>
            {md.architecture
              ? `${md.architecture.name} v${md.architecture.version} (${md.architecture.kind}, ${md.architecture.layers} layers, ${md.architecture.parameters.toLocaleString('en-US')} parameters)`
              : '—'}
          </dd>
          <dt className="text-slate-500">Training data</dt>
          <dd>{md.trainingData ? `${md.trainingData.name} v${md.trainingData.version} (${md.trainingData.rows} rows${md.trainingData.label ? `, label ${md.trainingData.label}` : ''})` : '—'}</dd>
          <dt className="text-slate-500">Checkpoint</dt>
          <dd>{md.checkpoint ? `${md.checkpoint.kind}, epoch ${md.checkpoint.epoch}` : '—'}</dd>
          <dt className="text-slate-500">Report SHA-256</dt>
          <dd className="break-all font-mono text-xs">{md.reportHash ?? '—'}</dd>
          <dt className="text-slate-500">Hyperparameters</dt>
          <dd className="font-mono text-xs">
            {Object.entries(md.hyperparameters)
              .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
              .join(' · ')}
          </dd>
        </dl>
      </Section>

      <Section title="Intended use" id="card-intended-use">
        <CardText
          teamId={team.id}
          runId={runId}
          field="intendedUse"
          label="Intended use"
          value={card.intendedUse}
          editable={editable}
          placeholder="Who should use this model, for what decisions, with what human oversight?"
        />
        <h3 className="pt-2 font-semibold">Out-of-scope uses</h3>
        <CardText teamId={team.id} runId={runId} field="outOfScope" label="Out-of-scope uses" value={card.outOfScope} editable={editable} placeholder="Uses this model was not evaluated for." />
      </Section>

      <Section title="Factors">
        <p>
          {card.factors.length
            ? `Sensitive attributes evaluated: ${card.factors.join(', ')}${card.factors.length > 1 ? `, and their intersection (${card.factors.join(' & ')})` : ''}.`
            : 'No sensitive attributes were marked on the training data.'}
        </p>
      </Section>

      <Section title="Metrics">
        {card.metrics.length ? (
          <p>
            {card.metrics.map((m) => (
              <span key={m.name} className="mr-4">
                {m.name} <span className="font-mono">{fmt(m.value, 4)}</span>
              </span>
            ))}
          </p>
        ) : (
          <p className="text-slate-500">No test-set metrics.</p>
        )}
      </Section>

      <Section title="Evaluation data">
        <p>
          The held-out test split{card.evaluationData.rows !== null ? ` (${card.evaluationData.rows} rows)` : ''}
          {card.evaluationData.threshold !== null ? `, decision threshold ${card.evaluationData.threshold}` : ''}.
        </p>
      </Section>

      <Section title="Quantitative analyses" id="card-quantitative">
        {card.quantitative ? (
          <>
            <p className="text-slate-500">
              Per group and per intersection; {Math.round((card.quantitative.confidence ?? 0.95) * 100)} % bootstrap intervals from {card.quantitative.resamples} resamples in brackets.
            </p>
            {card.quantitative.sections.map((s) => (
              <div key={s.attribute} className="break-inside-avoid">
                <h3 className="pt-2 font-semibold">
                  {s.attribute} {s.intersection ? <Badge>intersection</Badge> : null}
                </h3>
                <table className="w-full text-xs">
                  <thead className="text-left text-slate-500">
                    <tr>
                      <th className="py-1">group</th>
                      <th className="text-right">n</th>
                      <th className="text-right">base rate</th>
                      <th className="text-right">selection</th>
                      <th className="text-right">TPR</th>
                      <th className="text-right">FPR</th>
                      <th className="text-right">accuracy</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.groups.map((g) => (
                      <tr key={g.group} className="border-t border-slate-100">
                        <td className="py-0.5">{g.group}</td>
                        <td className="text-right font-mono">{g.count}</td>
                        <td className="text-right font-mono">{pct(g.base_rate)}</td>
                        {g.metrics.map((m) => (
                          <td key={m.key} className="text-right font-mono">
                            {withInterval(m.value, m.ci, true)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="mt-1 font-mono text-xs text-slate-600">{s.disparities.map((d) => `${d.metric} ${withInterval(d.value, d.ci, false)}`).join(' · ')}</p>
              </div>
            ))}
          </>
        ) : (
          <p className="text-slate-500">No per-group fairness report for this run.</p>
        )}
        <h3 className="pt-2 font-semibold">Policy gates</h3>
        {card.gates.status === null ? (
          <p className="text-slate-500">The team has no enabled gate rules.</p>
        ) : (
          <ul>
            <li>
              Overall: <Badge tone={card.gates.status === 'pass' ? 'green' : 'red'}>{card.gates.status}</Badge>
            </li>
            {card.gates.results.map((g) => (
              <li key={g.description} className="font-mono text-xs">
                {g.description}: {g.status} (measured {fmt(g.value, 4)})
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title="Mitigation">
        <p>Reweighing during training: {card.mitigation.reweighing ? 'yes' : 'no'}</p>
        {card.mitigation.postProcessing.map((p) => (
          <p key={p.constraint}>
            Post-processing ({p.constraint.replace(/_/g, ' ')}, thresholds fitted on the {p.fittedOn} split): disparity {fmt(p.before.disparity)} → {fmt(p.after.disparity)}, accuracy{' '}
            {pct(p.before.accuracy)} → {pct(p.after.accuracy)}
          </p>
        ))}
      </Section>

      <Section title="Explainability">
        {card.explainability?.top.length ? (
          <>
            <p className="text-slate-500">
              Top features by {card.explainability.method}
              {card.explainability.score ? ` (drop in ${card.explainability.score})` : ''}.
            </p>
            <ol className="list-decimal pl-5 font-mono text-xs">
              {card.explainability.top.map((t) => (
                <li key={t.feature}>
                  {t.feature}: {t.importance.toFixed(4)} ± {t.std.toFixed(4)}
                </li>
              ))}
            </ol>
            {card.explainability.proxies.length ? <p className="text-amber-700">Possible proxies of sensitive attributes: {card.explainability.proxies.join(', ')}.</p> : null}
          </>
        ) : (
          <p className="text-slate-500">No explainability report.</p>
        )}
      </Section>

      <Section title="Ethical considerations">
        <CardText teamId={team.id} runId={runId} field="ethical" label="Ethical considerations" value={card.ethical} editable={editable} placeholder="Risks, affected groups, harms considered." />
      </Section>

      <Section title="Caveats and recommendations">
        <CardText teamId={team.id} runId={runId} field="caveats" label="Caveats" value={card.caveats} editable={editable} placeholder="Known limitations and recommendations." />
      </Section>

      <Section title="Review decisions" id="card-decisions">
        {card.decisions.length ? (
          <ul className="space-y-1">
            {card.decisions.map((d, i) => (
              <li key={i} data-testid="card-decision">
                <span className="font-medium">{d.reviewer}</span> {VERDICT_WORDS[d.verdict]}{' '}
                <span className="text-slate-500">
                  ({d.reviewTitle}, {d.createdAt.slice(0, 10)})
                </span>{' '}
                {d.stale ? <Badge tone="amber">stale: {d.staleReasons.join(', ')}</Badge> : <Badge tone={d.verdict === 'APPROVE' ? 'green' : d.verdict === 'REJECT' ? 'red' : 'amber'}>current</Badge>}
                {d.justification ? <span className="block text-slate-600">{d.justification}</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-slate-500">No review decisions yet.</p>
        )}
      </Section>
    </article>
  );
}
