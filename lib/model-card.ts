/**
 * A run's model card, after Mitchell et al. 2019, "Model Cards for Model Reporting": model
 * details, intended use, factors, metrics, evaluation and training data, quantitative analyses
 * (per group and per intersection, with bootstrap intervals), mitigation, explainability,
 * ethical considerations, caveats and the review decisions. The service gathers the sources;
 * everything here is pure so the page, the Markdown and the JSON exports agree.
 */
import { isSupervisedEvaluation, type ExplainReport, type FairnessRunReport, type RunEvaluation, type StoredFairnessMetrics } from '@/lib/schemas/run-documents';

export interface CardInterval {
  lower: number | null;
  upper: number | null;
}

export interface CardGroupRow {
  group: string;
  count: number;
  base_rate: number | null;
  metrics: { key: 'selection_rate' | 'tpr' | 'fpr' | 'accuracy'; value: number | null; ci: CardInterval | null }[];
}

export interface CardSection {
  attribute: string;
  intersection: boolean;
  groups: CardGroupRow[];
  disparities: { metric: string; value: number | null; ci: CardInterval | null }[];
}

export interface CardDecision {
  reviewTitle: string;
  reviewer: string;
  verdict: 'APPROVE' | 'REQUEST_CHANGES' | 'REJECT';
  justification: string;
  createdAt: string;
  stale: boolean;
  staleReasons: string[];
  pinned: { checkpointId: string | null; datasetVersionId: string | null; reportHash: string | null };
}

export interface ModelCard {
  version: 1;
  generatedAt: string;
  run: {
    id: string;
    number: number;
    name: string;
    project: string;
    team: string;
    status: string;
    paradigm: string;
    author: string | null;
    createdAt: string;
    finishedAt: string | null;
    backend: string | null;
  };
  modelDetails: {
    architecture: { id: string; name: string; version: number; kind: string; layers: number; parameters: number } | null;
    trainingData: { id: string; name: string; version: number; rows: number; task: string | null; label: string | null; sensitive: string[]; split: Record<string, unknown> } | null;
    hyperparameters: Record<string, unknown>;
    checkpoint: { id: string; epoch: number; kind: string } | null;
    reportHash: string | null;
  };
  intendedUse: string;
  outOfScope: string;
  ethical: string;
  caveats: string;
  factors: string[];
  metrics: { name: string; value: number }[];
  evaluationData: { split: 'test'; rows: number | null; threshold: number | null };
  quantitative: { confidence: number | null; resamples: number | null; sections: CardSection[] } | null;
  gates: { status: string | null; results: { description: string; status: string; value: number | null }[] };
  mitigation: {
    reweighing: boolean;
    postProcessing: {
      constraint: string;
      fittedOn: string;
      before: { disparity: number | null; accuracy: number | null };
      after: { disparity: number | null; accuracy: number | null };
      thresholds: { group: string; threshold: number | null }[];
    }[];
  };
  explainability: { method: string | null; score: string | null; top: { feature: string; importance: number; std: number }[]; proxies: string[] } | null;
  decisions: CardDecision[];
}

export interface ModelCardSources {
  generatedAt: Date;
  run: ModelCard['run'];
  modelDetails: ModelCard['modelDetails'];
  texts: { intendedUse: string; outOfScope: string; ethical: string; caveats: string };
  evaluation: RunEvaluation | null;
  fairness: FairnessRunReport | null;
  explain: Pick<ExplainReport, 'permutation' | 'groups'> | null;
  gates: ModelCard['gates'];
  reweighing: boolean;
  decisions: CardDecision[];
}

const GROUP_KEYS = ['selection_rate', 'tpr', 'fpr', 'accuracy'] as const;
const CARD_DISPARITIES = ['demographic_parity_difference', 'demographic_parity_ratio', 'equalized_odds_difference', 'equal_opportunity_difference'] as const;

const numOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function buildModelCard(src: ModelCardSources): ModelCard {
  const f = src.fairness?.task === 'binary' ? src.fairness : null;
  const report = f?.report;
  const intervals = f?.bootstrap?.intervals ?? [];
  const ci = (...path: string[]): CardInterval | null => {
    const i = intervals.find((x) => x.path.length === path.length && x.path.every((p, k) => p === path[k]));
    return i ? { lower: i.lower, upper: i.upper } : null;
  };
  const sections: CardSection[] = (report?.attributes ?? []).map((s) => ({
    attribute: s.attribute,
    intersection: s.features.length > 1,
    groups: s.groups.map((g) => ({
      group: g.group,
      count: g.count,
      base_rate: g.base_rate,
      metrics: GROUP_KEYS.map((key) => ({ key, value: numOrNull(g[key]), ci: ci('attributes', s.attribute, 'groups', g.group, key) })),
    })),
    disparities: CARD_DISPARITIES.map((metric) => ({ metric, value: numOrNull(s.between_groups[metric]), ci: ci('attributes', s.attribute, 'between_groups', metric) })),
  }));
  // The test-set evaluation: a supervised run's full report, else the headline figures some rows keep.
  const ev = src.evaluation;
  const r: { accuracy?: number; roc?: { auc: number }; pr?: { averagePrecision: number }; macro?: { precision: number; recall: number; f1: number }; mae?: number; rmse?: number; r2?: number } =
    isSupervisedEvaluation(ev) ? ev.report : {};
  const top = ev && !isSupervisedEvaluation(ev) && 'accuracy' in ev ? ev : null;
  const candidates: [string, unknown][] = [
    ['accuracy', r.accuracy ?? top?.accuracy],
    ['ROC AUC', r.roc?.auc],
    ['average precision', r.pr?.averagePrecision],
    ['macro precision', r.macro?.precision],
    ['macro recall', r.macro?.recall],
    ['macro F1', r.macro?.f1],
    ['MAE', r.mae ?? top?.mae],
    ['RMSE', r.rmse ?? top?.rmse],
    ['R²', r.r2 ?? top?.r2],
  ];
  const metrics = candidates.flatMap(([name, v]) => (numOrNull(v) === null ? [] : [{ name, value: v as number }]));
  const postProcessing = Object.entries(f?.mitigation ?? {}).flatMap(([constraint, m]) => {
    if (!m) return [];
    const rate = constraint === 'demographic_parity' ? 'demographic_parity_difference' : 'equal_opportunity_difference';
    const side = (r: StoredFairnessMetrics) => ({ disparity: numOrNull(r.attributes[0]?.between_groups[rate]), accuracy: numOrNull(r.overall.accuracy) });
    return [{ constraint, fittedOn: m.fittedOn ?? 'test', before: side(m.before), after: side(m.after), thresholds: m.thresholds.map((t) => ({ group: t.group, threshold: numOrNull(t.threshold) })) }];
  });
  const ex = src.explain;
  return {
    version: 1,
    generatedAt: src.generatedAt.toISOString(),
    run: src.run,
    modelDetails: src.modelDetails,
    ...src.texts,
    factors: src.modelDetails.trainingData?.sensitive ?? [],
    metrics,
    evaluationData: { split: 'test', rows: report?.rows ?? numOrNull(isSupervisedEvaluation(ev) ? ev.testExamples : null), threshold: f?.threshold ?? null },
    quantitative: sections.length ? { confidence: f?.bootstrap?.confidence ?? null, resamples: f?.bootstrap?.resamples ?? null, sections } : null,
    gates: src.gates,
    mitigation: { reweighing: src.reweighing, postProcessing },
    explainability: ex
      ? {
          method: ex.permutation ? 'permutation importance' : null,
          score: ex.permutation?.score ?? null,
          top: (ex.permutation?.features ?? [])
            .slice()
            .sort((a, b) => b.mean - a.mean)
            .slice(0, 10)
            .map((p) => ({ feature: p.name, importance: p.mean, std: p.std })),
          proxies: ex.groups.flatMap((g) => g.proxies.filter((p) => p.flag === 'proxy').map((p) => `${p.feature} (for ${g.attribute})`)),
        }
      : null,
    decisions: src.decisions,
  };
}

const fmt = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '—' : v.toFixed(d));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
export function withInterval(value: number | null, ci: CardInterval | null, asPct: boolean): string {
  const f = asPct ? pct : (v: number | null) => fmt(v);
  if (!ci || ci.lower === null || ci.upper === null) return f(value);
  return asPct ? `${f(value)} (${(ci.lower * 100).toFixed(1)}–${(ci.upper * 100).toFixed(1)})` : `${f(value)} (${fmt(ci.lower)}–${fmt(ci.upper)})`;
}

/** Table cells may not contain pipes or newlines. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const orNone = (s: string, none: string) => (s.trim() ? s.trim() : `_${none}_`);
export const VERDICT_WORDS = { APPROVE: 'approved', REQUEST_CHANGES: 'requested changes', REJECT: 'rejected' } as const;

export function modelCardMarkdown(card: ModelCard): string {
  const out: string[] = [];
  const md = card.modelDetails;
  out.push(`# Model card: #${card.run.number} ${card.run.name}`, '');
  out.push(`Project ${card.run.project} · team ${card.run.team} · ${card.run.paradigm} run by ${card.run.author ?? 'unknown'} · ${card.run.status.toLowerCase()} · generated ${card.generatedAt}`, '');
  out.push('## Model details', '');
  out.push(
    `- Architecture: ${md.architecture ? `${md.architecture.name} v${md.architecture.version} (${md.architecture.kind}, ${md.architecture.layers} layers, ${md.architecture.parameters.toLocaleString('en-US')} parameters)` : '—'}`,
  );
  out.push(
    `- Training data: ${md.trainingData ? `${md.trainingData.name} v${md.trainingData.version} (${md.trainingData.rows} rows${md.trainingData.label ? `, label ${md.trainingData.label}` : ''})` : '—'}`,
  );
  out.push(`- Checkpoint: ${md.checkpoint ? `${md.checkpoint.kind} at epoch ${md.checkpoint.epoch} (${md.checkpoint.id})` : '—'}`);
  out.push(`- Report SHA-256: ${md.reportHash ?? '—'}`);
  out.push(`- Backend: ${card.run.backend ?? '—'}`);
  const hp = Object.entries(md.hyperparameters).filter(([, v]) => v !== undefined && (typeof v !== 'object' || v === null));
  if (hp.length) out.push(`- Hyperparameters: ${hp.map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
  for (const [k, v] of Object.entries(md.hyperparameters)) if (v && typeof v === 'object') out.push(`- ${k}: \`${JSON.stringify(v)}\``);
  out.push('', '## Intended use', '', orNone(card.intendedUse, 'Not stated.'), '', '### Out-of-scope uses', '', orNone(card.outOfScope, 'Not stated.'), '');
  out.push(
    '## Factors',
    '',
    card.factors.length
      ? `Sensitive attributes evaluated: ${card.factors.join(', ')}${card.factors.length > 1 ? `, and their intersection (${card.factors.join(' & ')})` : ''}.`
      : '_No sensitive attributes were marked on the training data._',
    '',
  );
  out.push('## Metrics', '', card.metrics.length ? card.metrics.map((m) => `- ${m.name}: ${fmt(m.value, 4)}`).join('\n') : '_No test-set metrics._', '');
  out.push(
    '## Evaluation data',
    '',
    `The dataset's held-out test split${card.evaluationData.rows !== null ? ` (${card.evaluationData.rows} rows)` : ''}${card.evaluationData.threshold !== null ? `, decision threshold ${card.evaluationData.threshold}` : ''}.`,
    '',
  );
  if (md.trainingData) out.push('## Training data', '', `${md.trainingData.name} v${md.trainingData.version}; split ${JSON.stringify(md.trainingData.split)}.`, '');
  out.push('## Quantitative analyses', '');
  if (!card.quantitative) out.push('_No per-group fairness report for this run._', '');
  else {
    out.push(
      `Per group and per intersection on the test split; ${Math.round((card.quantitative.confidence ?? 0.95) * 100)} % bootstrap intervals from ${card.quantitative.resamples ?? '?'} resamples in brackets.`,
      '',
    );
    for (const s of card.quantitative.sections) {
      out.push(`### ${s.attribute}${s.intersection ? ' (intersection)' : ''}`, '');
      out.push('| group | n | base rate | selection rate | TPR | FPR | accuracy |', '|---|---:|---:|---:|---:|---:|---:|');
      for (const g of s.groups) out.push(`| ${cell(g.group)} | ${g.count} | ${pct(g.base_rate)} | ${g.metrics.map((m) => withInterval(m.value, m.ci, true)).join(' | ')} |`);
      out.push('', s.disparities.map((d) => `- ${d.metric}: ${withInterval(d.value, d.ci, false)}`).join('\n'), '');
    }
  }
  out.push('### Policy gates', '', card.gates.status === null ? '_The team has no enabled gate rules._' : `Overall: **${card.gates.status}**`);
  for (const g of card.gates.results) out.push(`- ${g.description}: ${g.status} (measured ${fmt(g.value, 4)})`);
  out.push('', '## Mitigation', '', `- Reweighing during training: ${card.mitigation.reweighing ? 'yes' : 'no'}`);
  for (const p of card.mitigation.postProcessing) {
    out.push(
      `- Post-processing (${p.constraint.replace(/_/g, ' ')}, per-group thresholds fitted on the ${p.fittedOn} split): disparity ${fmt(p.before.disparity)} → ${fmt(p.after.disparity)}, accuracy ${pct(p.before.accuracy)} → ${pct(p.after.accuracy)}; thresholds ${p.thresholds.map((t) => `${t.group} ${t.threshold === null ? '∞' : t.threshold.toFixed(3)}`).join(', ')}`,
    );
  }
  out.push('', '## Explainability', '');
  if (!card.explainability || !card.explainability.top.length) out.push('_No explainability report._');
  else {
    out.push(`Top features by ${card.explainability.method}${card.explainability.score ? ` (drop in ${card.explainability.score})` : ''}:`, '');
    card.explainability.top.forEach((t, i) => out.push(`${i + 1}. ${t.feature}: ${t.importance.toFixed(4)} ± ${t.std.toFixed(4)}`));
    if (card.explainability.proxies.length) out.push('', `Possible proxies of sensitive attributes: ${card.explainability.proxies.join(', ')}.`);
  }
  out.push('', '## Ethical considerations', '', orNone(card.ethical, 'Not stated.'), '', '## Caveats and recommendations', '', orNone(card.caveats, 'Not stated.'), '');
  out.push('## Review decisions', '');
  if (!card.decisions.length) out.push('_No review decisions yet._');
  for (const d of card.decisions) {
    out.push(
      `- ${d.createdAt.slice(0, 10)} · ${d.reviewer} ${VERDICT_WORDS[d.verdict]} (${d.reviewTitle})${d.stale ? ` · **stale**: ${d.staleReasons.join(', ')}` : ''}${d.justification ? ` — ${d.justification.replace(/\s*\n\s*/g, ' ')}` : ''}`,
    );
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
