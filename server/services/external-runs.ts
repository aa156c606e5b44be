import type { Prisma } from '@prisma/client';
import { prisma } from '@/lib/db/client';
import { fairnessReport } from '@/lib/fairness/run-report';
import { evaluateClassifier, regressionReport } from '@/lib/metrics/evaluation';
import { can } from '@/lib/roles';
import { reportExternalStatus, startExternalRun } from '@/lib/runs/lifecycle';
import { metricFromName, metricName } from '@/lib/runs/query';
import { parseEvaluation } from '@/lib/runs/reports';
import { reportRefsOf, RUN_DOCUMENT_SCHEMA_VERSION, testMetricsOf, type SupervisedEvaluation } from '@/lib/schemas/run-documents';
import {
  ZCreateExternalRunInput,
  parseLogBatchInput,
  ZMetricHistoryQuery,
  ZUpdateExternalRunInput,
  ZUploadPredictionsInput,
  type CreateExternalRunInput,
  type LogBatchInput,
  type UpdateExternalRunInput,
  type UploadPredictionsInput,
} from '@/lib/schemas/external-runs';
import { ZTag } from '@/lib/schemas/run-input';
import type { Role } from '@/lib/schemas/teams';
import { logMetrics, type MetricPointInput } from '@/lib/tracking/metrics';
import { badRequest, conflict, DomainError, forbidden } from './errors';
import type { RunRef } from './api-keys';

/**
 * External runs: trained anywhere (a PyTorch cluster, a notebook, CI) and logged through the REST
 * API, the SDK or an MLflow client. No worker touches them: they start RUNNING, their metrics go
 * through the one metric write path, their params live in `config` (so the runs table searches,
 * sorts and compares them like any hyperparameter) and uploaded test predictions produce the same
 * evaluation and fairness report a worker run gets.
 */

const FINAL: Record<string, 'SUCCEEDED' | 'FAILED' | 'CANCELED'> = { SUCCEEDED: 'SUCCEEDED', FINISHED: 'SUCCEEDED', FAILED: 'FAILED', CANCELED: 'CANCELED', KILLED: 'CANCELED' };

export async function projectOfTeam(teamId: string, ref: string) {
  const project = await prisma.project.findFirst({ where: { teamId, OR: [{ slug: ref }, { id: ref }] }, select: { id: true, slug: true, name: true } });
  if (!project) throw new DomainError('NOT_FOUND', `Project '${ref}' not found in this team`, 'project');
  return project;
}

/** The run, if it is in the team; writes also need it to be external and the caller a member. */
export async function externalRunOf(teamId: string, runId: string, opts: { write?: Role } = {}) {
  const run = await prisma.run.findFirst({ where: { id: runId, teamId } });
  return checkedRun(run, runId, opts);
}

function checkedRun<R extends { number: number; source: string }>(run: R | null | undefined, runId: string, opts: { write?: Role }): R {
  if (!run) throw new DomainError('NOT_FOUND', `Run '${runId}' not found`, 'runId');
  if (opts.write) {
    if (!can.write(opts.write)) throw forbidden('Viewers cannot log to runs');
    if (run.source !== 'external') throw conflict(`Run #${run.number} is trained by a Deepboard worker; only external runs accept logged data`, 'runId');
  }
  return run;
}

/** A metric's stored key and context: explicit, or read from its name (`val_loss`). */
export function splitMetricName(name: string, context?: 'train' | 'validation' | 'test' | 'system') {
  if (context) return { key: name, context };
  const split = metricFromName(name);
  return split.key ? split : { key: name, context: 'train' as const };
}

/** Plain labels in `tags` mirror the key-value tags: `key` for an empty value, else `key:value` when it fits a label. */
function labelsOf(tagValues: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(tagValues)) {
    if (k.startsWith('mlflow.')) continue;
    const label = v === '' ? k : `${k}:${v}`;
    if (ZTag.safeParse(label).success) out.push(label);
  }
  return out;
}

function mergeTags(run: { tags: string[]; tagValues: unknown }, updates: Array<{ key: string; value: string }>, remove: string[] = []) {
  const before = { ...((run.tagValues ?? {}) as Record<string, string>) };
  const after = { ...before };
  for (const t of updates) after[t.key] = t.value;
  for (const k of remove) delete after[k];
  const derivedBefore = new Set(labelsOf(before));
  const tags = [...new Set([...run.tags.filter((t) => !derivedBefore.has(t)), ...labelsOf(after)])];
  return { tagValues: after, tags };
}

export async function createExternalRun(args: { teamId: string; userId: string; role: Role; input: CreateExternalRunInput }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot create runs');
  const input = ZCreateExternalRunInput.parse(args.input);
  const project = await projectOfTeam(args.teamId, input.project);
  const { tagValues, tags } = mergeTags({ tags: [], tagValues: {} }, input.tags ?? []);
  const startedAt = input.startTime !== undefined ? new Date(input.startTime) : new Date();
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await prisma.$transaction(async (tx) => {
        const last = await tx.run.aggregate({ where: { projectId: project.id }, _max: { number: true } });
        const number = (last._max.number ?? 0) + 1;
        const created = await startExternalRun(tx, {
          teamId: args.teamId,
          projectId: project.id,
          number,
          name: input.name ?? `external #${number}`,
          paradigm: input.paradigm,
          config: (input.params ?? {}) as Prisma.InputJsonValue,
          tags,
          tagValues,
          notes: input.notes ?? '',
          createdById: args.userId,
          queuedAt: startedAt,
          startedAt,
          createdAt: startedAt,
          attempt: 1,
          maxAttempts: 1,
        });
        const run = { id: created.id, number: created.number, name: created.name, projectId: created.projectId, status: created.status, startedAt: created.startedAt };
        return { ...run, project: project.slug };
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
    }
  }
  throw conflict('Could not number the run; try again');
}

/**
 * Metrics, params and tags in one call. Params are write-once, as in MLflow: logging a key again
 * with the same value is fine, with another value a 400 naming the key.
 */
export async function logBatch(args: { teamId: string; role: Role; runId: string; input: LogBatchInput; run?: RunRef }) {
  const input = parseLogBatchInput(args.input);
  // A metrics-only batch (the hot path) checks the run the caller's access check already read.
  const known = args.run && args.run.id === args.runId && args.run.teamId === args.teamId ? args.run : null;
  const run = known && !input.params.length && !input.tags.length ? checkedRun(known, args.runId, { write: args.role }) : await externalRunOf(args.teamId, args.runId, { write: args.role });
  if (input.params.length || input.tags.length) {
    await prisma.$transaction(async (tx) => {
      // Row lock: concurrent batches on one run merge their params and tags instead of losing some.
      const [row] = await tx.$queryRaw<Array<{ config: Record<string, unknown>; tags: string[]; tagValues: Record<string, string> }>>`
        SELECT config, tags, "tagValues" FROM "Run" WHERE id = ${run.id} FOR UPDATE`;
      const config = { ...(row!.config ?? {}) };
      for (const p of input.params) {
        const old = config[p.key];
        if (old !== undefined && String(old) !== p.value) {
          throw badRequest(`param '${p.key}' was already logged with value '${String(old)}'; params cannot change (tried '${p.value}')`, `params.${p.key}`);
        }
        config[p.key] = p.value;
      }
      const merged = mergeTags({ tags: row!.tags, tagValues: row!.tagValues }, input.tags);
      await tx.run.update({ where: { id: run.id }, data: { config: config as Prisma.InputJsonValue, tags: merged.tags, tagValues: merged.tagValues } });
    });
  }
  if (input.metrics.length) {
    // One object shape for every point (no spread, no undefined fields): logMetrics reads
    // thousands of them per batch.
    const points = new Array<MetricPointInput>(input.metrics.length);
    for (let i = 0; i < points.length; i++) {
      const m = input.metrics[i]!;
      const { key, context } = splitMetricName(m.key, m.context);
      points[i] = m.timestamp === undefined ? { key, context, step: m.step, value: m.value } : { key, context, step: m.step, value: m.value, wallTime: new Date(m.timestamp) };
    }
    await logMetrics(prisma, run.id, points);
  }
  return { metrics: input.metrics.length, params: input.params.length, tags: input.tags.length };
}

export async function deleteTag(args: { teamId: string; role: Role; runId: string; key: string }) {
  const run = await externalRunOf(args.teamId, args.runId, { write: args.role });
  const values = (run.tagValues ?? {}) as Record<string, string>;
  if (!(args.key in values)) throw new DomainError('NOT_FOUND', `Run has no tag '${args.key}'`, 'key');
  const merged = mergeTags(run, [], [args.key]);
  await prisma.run.update({ where: { id: run.id }, data: merged });
}

/** Status (FINISHED / FAILED / KILLED end the run), name or error message. */
export async function updateExternalRun(args: { teamId: string; role: Role; runId: string; input: UpdateExternalRunInput }) {
  const input = ZUpdateExternalRunInput.parse(args.input);
  const run = await externalRunOf(args.teamId, args.runId, { write: args.role });
  const data: { name?: string; error?: string; finishedAt?: Date } = {};
  if (input.name) data.name = input.name;
  if (input.error !== undefined) data.error = input.error;
  const select = { id: true, number: true, name: true, status: true, startedAt: true, finishedAt: true, error: true } as const;
  if (input.status) {
    const final = FINAL[input.status];
    const finishedAt = final ? (input.endTime !== undefined ? new Date(input.endTime) : (run.finishedAt ?? new Date())) : null;
    const r = await reportExternalStatus(prisma, { runId: run.id, attempt: run.attempt, status: final ?? 'RUNNING', finishedAt, data: { name: data.name, error: data.error } });
    if (!r.ok) throw conflict(`Run #${run.number} is ${r.current?.status.toLowerCase() ?? 'gone'}; its status cannot be set to ${input.status}`, 'status');
    return prisma.run.findUniqueOrThrow({ where: { id: run.id }, select });
  }
  if (input.endTime !== undefined) data.finishedAt = new Date(input.endTime);
  return prisma.run.update({ where: { id: run.id }, data, select });
}

const artifactPrefix = (run: { teamId: string; id: string }) => `teams/${run.teamId}/runs/${run.id}/artifacts/`;

/** Relative paths of letters, digits, `_ - . /`; no `..`, no absolute paths. */
export function checkArtifactPath(p: string): string {
  const parts = p.split('/');
  if (!p || p.length > 500 || p.startsWith('/') || parts.some((s) => s === '' || s === '.' || s === '..' || !/^[A-Za-z0-9_.\- ]+$/.test(s))) {
    throw badRequest(`artifact path '${p.slice(0, 100)}' is not allowed: use relative names of letters, digits, _ - . and / (no '..')`, 'path');
  }
  return p;
}

export const MAX_ARTIFACT_BYTES = 512 * 1024 * 1024;

export async function uploadArtifact(args: { teamId: string; role: Role; runId: string; path: string; data: Buffer }) {
  const run = await externalRunOf(args.teamId, args.runId, { write: args.role });
  const path = checkArtifactPath(args.path);
  const { artifactStore } = await import('@/lib/artifacts/store');
  const stored = await artifactStore().put(artifactPrefix(run) + path, args.data);
  const entry = { path, size: args.data.length, uploadedAt: new Date().toISOString() };
  await prisma.$transaction(async (tx) => {
    // Row lock: concurrent uploads to one run each keep their entry.
    const [row] = await tx.$queryRaw<Array<{ environment: Record<string, unknown> }>>`SELECT environment FROM "Run" WHERE id = ${run.id} FOR UPDATE`;
    const list = listArtifactsOf(row!);
    await tx.run.update({
      where: { id: run.id },
      data: { environment: { ...(row!.environment ?? {}), artifacts: [...list.filter((a) => a.path !== path), entry] } as Prisma.InputJsonValue },
    });
  });
  return { path, size: Number((stored as { size?: number }).size ?? args.data.length) };
}

type ArtifactEntry = { path: string; size: number; uploadedAt: string };
function listArtifactsOf(run: { environment: unknown }): ArtifactEntry[] {
  return (((run.environment ?? {}) as { artifacts?: ArtifactEntry[] }).artifacts ?? []).slice();
}

export async function listArtifacts(args: { teamId: string; runId: string }) {
  const run = await externalRunOf(args.teamId, args.runId);
  return listArtifactsOf(run);
}

export async function readArtifact(args: { teamId: string; runId: string; path: string }): Promise<Buffer> {
  const run = await externalRunOf(args.teamId, args.runId);
  const path = checkArtifactPath(args.path);
  if (!listArtifactsOf(run).some((a) => a.path === path)) throw new DomainError('NOT_FOUND', `Artifact '${path}' not found`, 'path');
  const { artifactStore } = await import('@/lib/artifacts/store');
  return artifactStore().get(artifactPrefix(run) + path);
}

/** Labels as class indices: numbers as given, or names looked up in classNames. */
function labelIndices(labels: Array<string | number>, classNames: string[] | undefined, field: string): number[] {
  return labels.map((l, i) => {
    if (typeof l === 'number') return l;
    const idx = classNames?.indexOf(l) ?? -1;
    if (idx < 0)
      throw badRequest(`${field}[${i}]: '${l}' is not one of classNames${classNames ? ` (${classNames.slice(0, 5).join(', ')})` : ' (send classNames, or numeric labels)'}`, `${field}[${i}]`);
    return idx;
  });
}

function checkSplit(
  split: { labels: Array<string | number>; scores: number[] | number[][]; sensitive?: Record<string, string[]> },
  task: 'binary' | 'multiclass' | 'regression',
  classNames: string[] | undefined,
  prefix: string,
) {
  const n = split.labels.length;
  const y =
    task === 'regression'
      ? split.labels
          .map((l) => (typeof l === 'number' ? l : Number.NaN))
          .map((v, i) => {
            if (!Number.isFinite(v)) throw badRequest(`${prefix}labels[${i}] must be a number for a regression task`, `${prefix}labels[${i}]`);
            return v;
          })
      : labelIndices(split.labels, classNames, `${prefix}labels`);
  const rows = split.scores as Array<number | number[]>;
  if (rows.length !== n) throw badRequest(`${prefix}scores has ${rows.length} entries but ${prefix}labels has ${n}: send one per example`, `${prefix}scores`);
  let numClasses = 2;
  let flat: number[];
  if (task === 'multiclass') {
    if (!Array.isArray(rows[0])) throw badRequest(`${prefix}scores must be one row of class scores per example for a multiclass task`, `${prefix}scores`);
    numClasses = (rows[0] as number[]).length;
    if (numClasses < 2) throw badRequest(`${prefix}scores rows need at least 2 class scores`, `${prefix}scores`);
    flat = [];
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== numClasses) throw badRequest(`${prefix}scores[${i}] must have ${numClasses} class scores`, `${prefix}scores[${i}]`);
      flat.push(...r);
    });
    y.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= numClasses) throw badRequest(`${prefix}labels[${i}] must be a class index below ${numClasses}`, `${prefix}labels[${i}]`);
    });
  } else {
    flat = rows.map((r, i) => {
      const v = Array.isArray(r) ? (task === 'binary' && r.length === 2 ? r[1]! : Number.NaN) : r;
      if (!Number.isFinite(v)) throw badRequest(`${prefix}scores[${i}] must be a finite number${task === 'binary' ? ' (the probability of the positive class)' : ''}`, `${prefix}scores[${i}]`);
      if (task === 'binary' && (v < 0 || v > 1)) throw badRequest(`${prefix}scores[${i}] must be a probability between 0 and 1`, `${prefix}scores[${i}]`);
      return v;
    });
    if (task === 'binary') {
      y.forEach((v, i) => {
        if (v !== 0 && v !== 1) throw badRequest(`${prefix}labels[${i}] must be 0 or 1 (or a name in classNames) for a binary task`, `${prefix}labels[${i}]`);
      });
    }
  }
  const sensitive = split.sensitive ?? {};
  for (const [name, values] of Object.entries(sensitive)) {
    if (values.length !== n) throw badRequest(`${prefix}sensitive.${name} has ${values.length} values but there are ${n} examples`, `${prefix}sensitive.${name}`);
  }
  return { n, y, scores: Float32Array.from(flat), numClasses, sensitive };
}

/**
 * Test-set predictions of an external model → the run's evaluation (as a worker run stores it),
 * test metrics through the metric write path, and the fairness report from the same
 * lib/fairness code the worker uses.
 */
export async function uploadPredictions(args: { teamId: string; role: Role; runId: string; input: UploadPredictionsInput }) {
  const input = ZUploadPredictionsInput.parse(args.input);
  const run = await externalRunOf(args.teamId, args.runId, { write: args.role });
  if (input.task !== 'regression' && input.classNames && input.task === 'binary' && input.classNames.length !== 2) {
    throw badRequest('classNames of a binary task must have 2 names: [negative, positive]', 'classNames');
  }
  const test = checkSplit(input, input.task, input.classNames, '');
  const val = input.validation ? checkSplit(input.validation, input.task, input.classNames, 'validation.') : null;
  for (const name of Object.keys(val?.sensitive ?? {})) {
    if (!(name in test.sensitive)) throw badRequest(`validation.sensitive.${name} is not among the test split's sensitive attributes`, `validation.sensitive.${name}`);
  }
  const { artifactStore } = await import('@/lib/artifacts/store');
  const store = artifactStore();
  const base = `teams/${run.teamId}/runs/${run.id}`;
  const predictionsKey = `${base}/predictions.json`;
  await store.put(
    predictionsKey,
    Buffer.from(JSON.stringify({ task: { kind: input.task }, classNames: input.classNames, scores: Array.from(test.scores), labels: test.y, sensitive: test.sensitive })),
  );
  const common = { schemaVersion: RUN_DOCUMENT_SCHEMA_VERSION, classNames: input.classNames ?? (input.task === 'binary' ? ['0', '1'] : undefined), testExamples: test.n, predictionsKey };
  const evaluation: SupervisedEvaluation =
    input.task === 'regression'
      ? { ...common, task: input.task, report: regressionReport(test.y, test.scores) }
      : { ...common, task: input.task, report: evaluateClassifier(test.y, test.scores, input.task === 'binary' ? 2 : test.numClasses, input.threshold) };

  let fairness: { summary: Record<string, unknown> } | null = null;
  if (input.task !== 'multiclass' && Object.keys(test.sensitive).length) {
    const data = {
      task: { kind: input.task },
      test: { n: test.n, y: test.y, sensitive: test.sensitive },
      validation: { n: val?.n ?? 0, y: val?.y ?? [], sensitive: val?.sensitive ?? {} },
    };
    const f = fairnessReport(data, test.scores, input.seed, val?.scores ?? null, input.threshold);
    if (f) {
      const key = `${base}/fairness.json`;
      await store.put(key, Buffer.from(JSON.stringify(f)));
      evaluation.fairness = { key, summary: f.summary, ...(f.task === 'binary' && f.gates ? { gates: f.gates } : {}) };
      fairness = { summary: f.summary };
    }
  }

  const points: MetricPointInput[] = testMetricsOf(evaluation).map((m) => ({ ...m, context: 'test', step: 0 }));
  if (points.length) await logMetrics(prisma, run.id, points);

  await prisma.run.update({ where: { id: run.id }, data: { evaluation: JSON.parse(JSON.stringify(evaluation)) as Prisma.InputJsonValue } });
  return { examples: test.n, metrics: Object.fromEntries(points.map((p) => [p.key, p.value])), fairness };
}

/** Raw points of one series in step order, paged by step. */
export async function metricHistory(args: { teamId: string; runId: string; key: string; query: unknown }) {
  const q = ZMetricHistoryQuery.parse(args.query);
  const run = await externalRunOf(args.teamId, args.runId);
  const { key, context } = splitMetricName(args.key, q.context);
  const series = await prisma.metricSeries.findUnique({ where: { runId_key_context: { runId: run.id, key, context } }, select: { id: true } });
  if (!series) throw new DomainError('NOT_FOUND', `Run has no metric '${args.key}'${q.context ? ` in context '${q.context}'` : ''}`, 'key');
  const rows = await prisma.metricPoint.findMany({
    where: { seriesId: series.id, step: { gt: q.afterStep } },
    orderBy: { step: 'asc' },
    take: q.limit + 1,
    select: { step: true, value: true, epoch: true, wallTime: true },
  });
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  return {
    key: args.key,
    context,
    points: page.map((p) => ({ step: p.step, value: Number.isFinite(p.value) ? p.value : String(p.value), timestamp: p.wallTime.getTime() })),
    nextAfterStep: more ? page.at(-1)!.step : null,
  };
}

/** One run as the REST API returns it (any run of the team, external or not). */
export async function runForApi(teamId: string, runId: string) {
  const run = await prisma.run.findFirst({
    where: { id: runId, teamId },
    select: {
      id: true,
      number: true,
      name: true,
      status: true,
      source: true,
      paradigm: true,
      config: true,
      tags: true,
      tagValues: true,
      notes: true,
      error: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      evaluation: true,
      project: { select: { id: true, slug: true } },
      createdBy: { select: { id: true, email: true } },
      series: { select: { key: true, context: true, last: true, lastStep: true, min: true, max: true, count: true }, orderBy: [{ context: 'asc' }, { key: 'asc' }] },
    },
  });
  if (!run) throw new DomainError('NOT_FOUND', `Run '${runId}' not found`, 'runId');
  const ev = parseEvaluation(run.evaluation).value;
  return {
    id: run.id,
    number: run.number,
    name: run.name,
    status: run.status,
    source: run.source,
    paradigm: run.paradigm,
    project: run.project,
    user: run.createdBy,
    params: run.config,
    tags: run.tagValues,
    labels: run.tags,
    notes: run.notes,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    metrics: run.series.map((m) => ({ name: metricName(m.key, m.context as 'train'), ...m })),
    fairness: reportRefsOf(ev).fairness?.summary ?? null,
  };
}
