import type { Prisma } from '@prisma/client';
import { prisma } from '@/lib/db/client';
import { UserError, type MlflowErrorCode, type UserErrorKind } from '@/lib/errors';
import { metricName } from '@/lib/runs/query';
import { compareForOrder, matchesFilter, MlflowFilterError, parseMlflowFilter, parseMlflowOrderBy, type FilterableRun } from '@/lib/runs/mlflow-filter';
import {
  MLFLOW_LIMITS,
  ZMlflowCreateExperiment,
  ZMlflowCreateRun,
  ZMlflowDeleteTag,
  ZMlflowGetExperiment,
  ZMlflowGetExperimentByName,
  ZMlflowGetHistory,
  ZMlflowLogBatch,
  ZMlflowLogMetric,
  ZMlflowLogParam,
  ZMlflowRunRef,
  ZMlflowSearchRuns,
  ZMlflowSetTag,
  ZMlflowUpdateRun,
} from '@/lib/schemas/mlflow';
import type { Role } from '@/lib/schemas/teams';
import { createExternalRun, deleteTag, logBatch, splitMetricName, updateExternalRun } from './external-runs';
import { createProject } from './projects';

/**
 * The MLflow tracking API over Deepboard's own model, so MLflow clients log here unchanged
 * (MLFLOW_TRACKING_URI + MLFLOW_TRACKING_TOKEN = an API key). An experiment is a project of the
 * key's team (experiment "0", MLflow's default, is the team's "Default" project); a run is an
 * external run; every write goes through the external-runs service and so through the one metric
 * write path.
 */

export type { MlflowErrorCode };

const KIND_OF: Record<MlflowErrorCode, UserErrorKind> = {
  RESOURCE_DOES_NOT_EXIST: 'not-found',
  RESOURCE_ALREADY_EXISTS: 'conflict',
  INVALID_PARAMETER_VALUE: 'invalid',
  UNAUTHENTICATED: 'unauthorized',
  PERMISSION_DENIED: 'forbidden',
  REQUEST_LIMIT_EXCEEDED: 'too-many-requests',
  TEMPORARILY_UNAVAILABLE: 'unavailable',
  ENDPOINT_NOT_FOUND: 'not-found',
  INTERNAL_ERROR: 'unavailable',
};

/** A UserError that keeps MLflow's exact error_code for the MLflow routes. */
export class MlflowError extends UserError {
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
  ) {
    super(KIND_OF[errorCode], message);
    this.name = 'MlflowError';
  }
}

export interface MlflowPrincipal {
  teamId: string;
  userId: string;
  role: Role;
}

const DEFAULT_EXPERIMENT = { id: '0', name: 'Default', slug: 'default' };

const STATUS_TO_MLFLOW: Record<string, string> = { QUEUED: 'SCHEDULED', RUNNING: 'RUNNING', SUCCEEDED: 'FINISHED', FAILED: 'FAILED', CANCELED: 'KILLED' };

const projectSelect = { id: true, name: true, slug: true, createdAt: true, updatedAt: true } as const;
type ProjectRow = { id: string; name: string; slug: string; createdAt: Date; updatedAt: Date };

function experimentJson(p: ProjectRow) {
  return {
    experiment_id: p.id,
    name: p.name,
    artifact_location: `deepboard:/projects/${p.slug}`,
    lifecycle_stage: 'active',
    creation_time: p.createdAt.getTime(),
    last_update_time: p.updatedAt.getTime(),
    tags: [] as Array<{ key: string; value: string }>,
  };
}

async function experimentOf(p: MlflowPrincipal, experimentId: string): Promise<ProjectRow> {
  if (experimentId === DEFAULT_EXPERIMENT.id) {
    const existing = await prisma.project.findFirst({ where: { teamId: p.teamId, OR: [{ slug: DEFAULT_EXPERIMENT.slug }, { name: DEFAULT_EXPERIMENT.name }] }, select: projectSelect });
    if (existing) return existing;
    try {
      const created = await createProject({
        teamId: p.teamId,
        userId: p.userId,
        role: p.role,
        input: { name: DEFAULT_EXPERIMENT.name, slug: DEFAULT_EXPERIMENT.slug, description: 'Runs logged by MLflow clients without an experiment' },
      });
      return prisma.project.findUniqueOrThrow({ where: { id: created.id }, select: projectSelect });
    } catch {
      const again = await prisma.project.findFirst({ where: { teamId: p.teamId, slug: DEFAULT_EXPERIMENT.slug }, select: projectSelect });
      if (again) return again;
      throw new MlflowError('RESOURCE_DOES_NOT_EXIST', 'Could not find experiment with ID 0');
    }
  }
  const project = await prisma.project.findFirst({ where: { id: experimentId, teamId: p.teamId }, select: projectSelect });
  if (!project) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Could not find experiment with ID ${experimentId}`);
  return project;
}

// ---------------------------------------------------------------------------------------------
// Experiments

export async function createExperiment(p: MlflowPrincipal, body: unknown) {
  const input = ZMlflowCreateExperiment.parse(body);
  const taken = await prisma.project.findFirst({ where: { teamId: p.teamId, name: input.name }, select: { id: true } });
  if (taken) throw new MlflowError('RESOURCE_ALREADY_EXISTS', `Experiment '${input.name}' already exists.`);
  if (input.name.length < 2) throw new MlflowError('INVALID_PARAMETER_VALUE', 'Experiment name needs at least 2 characters');
  const project = await createProject({ teamId: p.teamId, userId: p.userId, role: p.role, input: { name: input.name, description: '' } });
  return { experiment_id: project.id };
}

export async function getExperiment(p: MlflowPrincipal, query: unknown) {
  const { experiment_id } = ZMlflowGetExperiment.parse(query);
  return { experiment: experimentJson(await experimentOf(p, experiment_id)) };
}

export async function getExperimentByName(p: MlflowPrincipal, query: unknown) {
  const { experiment_name } = ZMlflowGetExperimentByName.parse(query);
  if (experiment_name === DEFAULT_EXPERIMENT.name) return { experiment: experimentJson(await experimentOf(p, DEFAULT_EXPERIMENT.id)) };
  const project = await prisma.project.findFirst({ where: { teamId: p.teamId, name: experiment_name }, select: projectSelect });
  if (!project) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${experiment_name}'`);
  return { experiment: experimentJson(project) };
}

// ---------------------------------------------------------------------------------------------
// Runs

const runSelect = {
  id: true,
  name: true,
  status: true,
  projectId: true,
  config: true,
  tagValues: true,
  startedAt: true,
  createdAt: true,
  finishedAt: true,
  createdBy: { select: { email: true } },
  series: { select: { key: true, context: true, last: true, lastStep: true, updatedAt: true } },
} as const;
type RunRow = Prisma.RunGetPayload<{ select: typeof runSelect }>;

const paramText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function mlflowView(r: RunRow) {
  const metrics = r.series
    .filter((s) => s.last !== null && s.context !== 'system')
    .map((s) => ({ key: metricName(s.key, s.context as 'train'), value: s.last as number, timestamp: s.updatedAt.getTime(), step: s.lastStep ?? 0 }));
  const params = Object.entries((r.config ?? {}) as Record<string, unknown>).map(([key, value]) => ({ key, value: paramText(value) }));
  const tagMap = new Map(Object.entries((r.tagValues ?? {}) as Record<string, string>));
  tagMap.set('mlflow.runName', r.name);
  if (r.createdBy) tagMap.set('mlflow.user', r.createdBy.email);
  const tags = [...tagMap].map(([key, value]) => ({ key, value }));
  const start = (r.startedAt ?? r.createdAt).getTime();
  const info = {
    run_id: r.id,
    run_uuid: r.id,
    experiment_id: r.projectId,
    run_name: r.name,
    user_id: r.createdBy?.email ?? '',
    status: STATUS_TO_MLFLOW[r.status] ?? 'RUNNING',
    start_time: start,
    ...(r.finishedAt ? { end_time: r.finishedAt.getTime() } : {}),
    artifact_uri: `deepboard:/runs/${r.id}/artifacts`,
    lifecycle_stage: 'active',
  };
  const filterable: FilterableRun = {
    attributes: { status: info.status, run_name: r.name, run_id: r.id, user_id: info.user_id, artifact_uri: info.artifact_uri, start_time: start, end_time: r.finishedAt?.getTime() ?? null },
    metrics: new Map(r.series.filter((s) => s.last !== null).map((s) => [metricName(s.key, s.context as 'train'), s.last as number])),
    params: new Map(params.map((x) => [x.key, x.value])),
    tags: tagMap,
  };
  return { run: { info, data: { metrics, params, tags } }, filterable };
}

function runIdOf(input: { run_id?: string; run_uuid?: string }): string {
  const id = input.run_id ?? input.run_uuid;
  if (!id) throw new MlflowError('INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'");
  return id;
}

async function loadRun(p: MlflowPrincipal, runId: string): Promise<RunRow> {
  const run = await prisma.run.findFirst({ where: { id: runId, teamId: p.teamId }, select: runSelect });
  if (!run) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Run '${runId}' not found`);
  return run;
}

export async function createRun(p: MlflowPrincipal, body: unknown) {
  const input = ZMlflowCreateRun.parse(body);
  const project = await experimentOf(p, input.experiment_id);
  const tags = (input.tags ?? []).filter((t) => t.key !== 'mlflow.runName' && t.key !== 'mlflow.user');
  const name = input.run_name ?? input.tags?.find((t) => t.key === 'mlflow.runName')?.value;
  const created = await createExternalRun({ teamId: p.teamId, userId: p.userId, role: p.role, input: { project: project.id, name: name || undefined, startTime: input.start_time, tags } });
  return { run: mlflowView(await loadRun(p, created.id)).run };
}

export async function getRun(p: MlflowPrincipal, query: unknown) {
  const runId = runIdOf(ZMlflowRunRef.parse(query));
  return { run: mlflowView(await loadRun(p, runId)).run };
}

export async function updateRun(p: MlflowPrincipal, body: unknown) {
  const input = ZMlflowUpdateRun.parse(body);
  const runId = runIdOf(input);
  await loadRun(p, runId);
  await updateExternalRun({
    teamId: p.teamId,
    role: p.role,
    runId,
    input: { status: input.status === 'SCHEDULED' ? 'RUNNING' : input.status, endTime: input.end_time, name: input.run_name },
  });
  return { run_info: mlflowView(await loadRun(p, runId)).run.info };
}

/** Tags named mlflow.runName rename the run, as in MLflow. */
async function writeBatch(
  p: MlflowPrincipal,
  runId: string,
  batch: { metrics?: Array<{ key: string; value: number; timestamp: number; step: number }>; params?: Array<{ key: string; value: string }>; tags?: Array<{ key: string; value: string }> },
) {
  await loadRun(p, runId);
  const rename = batch.tags?.findLast((t) => t.key === 'mlflow.runName');
  const tags = (batch.tags ?? []).filter((t) => t.key !== 'mlflow.runName' && t.key !== 'mlflow.user');
  await logBatch({
    teamId: p.teamId,
    role: p.role,
    runId,
    input: { metrics: (batch.metrics ?? []).map((m) => ({ key: m.key, value: m.value, step: m.step, timestamp: m.timestamp })), params: batch.params ?? [], tags },
  });
  if (rename?.value.trim()) await updateExternalRun({ teamId: p.teamId, role: p.role, runId, input: { name: rename.value } });
  return {};
}

export async function logMetric(p: MlflowPrincipal, body: unknown) {
  const input = ZMlflowLogMetric.parse(body);
  return writeBatch(p, runIdOf(input), { metrics: [{ key: input.key, value: input.value, timestamp: input.timestamp, step: input.step }] });
}

export async function logParameter(p: MlflowPrincipal, body: unknown) {
  const input = ZMlflowLogParam.parse(body);
  return writeBatch(p, runIdOf(input), { params: [{ key: input.key, value: input.value }] });
}

export async function setTag(p: MlflowPrincipal, body: unknown) {
  const input = ZMlflowSetTag.parse(body);
  return writeBatch(p, runIdOf(input), { tags: [{ key: input.key, value: input.value }] });
}

export async function deleteRunTag(p: MlflowPrincipal, body: unknown) {
  const input = ZMlflowDeleteTag.parse(body);
  const runId = runIdOf(input);
  await loadRun(p, runId);
  await deleteTag({ teamId: p.teamId, role: p.role, runId, key: input.key });
  return {};
}

export async function logBatchMlflow(p: MlflowPrincipal, body: unknown) {
  const input = ZMlflowLogBatch.parse(body);
  const total = input.metrics.length + input.params.length + input.tags.length;
  if (total > MLFLOW_LIMITS.items) {
    throw new MlflowError('INVALID_PARAMETER_VALUE', `A batch logging request can contain at most ${MLFLOW_LIMITS.items} metrics, params and tags in total; got ${total}`);
  }
  const keys = new Set<string>();
  for (const param of input.params) {
    if (keys.has(param.key)) {
      const dup = input.params.filter((x) => x.key === param.key);
      if (dup.some((d) => d.value !== param.value)) throw new MlflowError('INVALID_PARAMETER_VALUE', `Duplicate parameter keys with different values: '${param.key}'`);
    }
    keys.add(param.key);
  }
  return writeBatch(p, runIdOf(input), input);
}

const encodeToken = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function decodeToken<T>(token: string | undefined, check: (v: unknown) => v is T): T | null {
  if (!token) return null;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString()) as unknown;
    if (check(v)) return v;
  } catch {
    // fall through
  }
  throw new MlflowError('INVALID_PARAMETER_VALUE', 'Invalid page token');
}

export async function getMetricHistory(p: MlflowPrincipal, query: unknown) {
  const input = ZMlflowGetHistory.parse(query);
  const runId = runIdOf(input);
  await loadRun(p, runId);
  const { key, context } = splitMetricName(input.metric_key);
  const after = decodeToken(input.page_token, (v): v is { s: number } => typeof (v as { s?: unknown })?.s === 'number');
  const limit = input.max_results ?? MLFLOW_LIMITS.historyMaxResults;
  const series = await prisma.metricSeries.findUnique({ where: { runId_key_context: { runId, key, context } }, select: { id: true } });
  if (!series) return { metrics: [] };
  const rows = await prisma.metricPoint.findMany({
    where: { seriesId: series.id, ...(after ? { step: { gt: after.s } } : {}) },
    orderBy: { step: 'asc' },
    take: limit + 1,
    select: { step: true, value: true, wallTime: true },
  });
  const page = rows.slice(0, limit);
  return {
    metrics: page.map((r) => ({ key: input.metric_key, value: Number.isFinite(r.value) ? r.value : String(r.value), timestamp: r.wallTime.getTime(), step: r.step })),
    ...(rows.length > limit ? { next_page_token: encodeToken({ s: page.at(-1)!.step }) } : {}),
  };
}

export async function searchRuns(p: MlflowPrincipal, body: unknown) {
  const input = ZMlflowSearchRuns.parse(body);
  let clauses;
  let orders;
  try {
    clauses = parseMlflowFilter(input.filter);
    orders = parseMlflowOrderBy(input.order_by);
  } catch (err) {
    if (err instanceof MlflowFilterError) throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid search: ${err.message}`);
    throw err;
  }
  const projects = await Promise.all([...new Set(input.experiment_ids)].map((id) => experimentOf(p, id)));
  const offset = decodeToken(input.page_token, (v): v is { o: number } => Number.isInteger((v as { o?: unknown })?.o) && (v as { o: number }).o >= 0)?.o ?? 0;
  if (input.run_view_type === 'DELETED_ONLY') return { runs: [] };
  const rows = await prisma.run.findMany({ where: { teamId: p.teamId, projectId: { in: projects.map((x) => x.id) } }, select: runSelect });
  const views = rows.map(mlflowView).filter((v) => matchesFilter(v.filterable, clauses));
  const cmp = compareForOrder(orders);
  views.sort((a, b) => cmp(a.filterable, b.filterable));
  const page = views.slice(offset, offset + input.max_results);
  return {
    runs: page.map((v) => v.run),
    ...(offset + input.max_results < views.length ? { next_page_token: encodeToken({ o: offset + input.max_results }) } : {}),
  };
}
