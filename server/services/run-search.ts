import type { RunStatus } from '@prisma/client';
import { prisma, sql } from '@/lib/db/client';
import { searchCache } from './search-cache';
import {
  formatField,
  GROUPABLE_ATTRIBUTES,
  metricFromName,
  metricName,
  parseField,
  parseQuery,
  parseSortField,
  QuerySyntaxError,
  resolveParamAlias,
  spanSeconds,
  ZRunSearchInput,
  type CompareOp,
  type FieldRef,
  type QueryMetricContext,
  type QueryNode,
  type QueryValue,
  type RunSearchInput,
  type SortKey,
} from '@/lib/runs/query';
import { badRequest } from './errors';
import { gradeRun, listGateRules, type GateRuleRow, type RunGates } from './gates';
import { ZGateInput } from '@/lib/schemas/run-documents';

/**
 * The runs table's search: a query (lib/runs/query.ts) becomes one parameterised WHERE clause
 * over "Run" (values only ever travel as bind parameters), always scoped by team AND project.
 * It reads the per-series summaries (MetricSeries), never the points.
 *
 * One statement returns a page: a CTE sorts only ids and sort keys and cuts the page (with the
 * total as count(*) OVER () when there is a filter, so the filter runs once), then the page's
 * rows get their names, config and metric summaries. Without a filter the total is a separate
 * index-only count and the newest-first page comes straight off an index. Groups, when asked
 * for, are another statement run alongside. Offset paging is fine at this size (10 000 runs a
 * project): every page sorts the same keys, so the last costs what the first does.
 */

export interface MetricSummary {
  last: number | null;
  min: number | null;
  max: number | null;
}

export interface RunSearchRow {
  id: string;
  number: number;
  name: string;
  status: RunStatus;
  paradigm: string;
  user: { id: string; name: string; email: string } | null;
  architecture: { id: string; name: string; version: number } | null;
  dataset: { id: string; name: string; version: number } | null;
  backend: string | null;
  /** What the run trained on: a GPU adapter (webgpu) or the CPU. */
  device: string | null;
  tags: string[];
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** finishedAt (or now, while running) minus startedAt; null before the run starts. */
  durationSeconds: number | null;
  /** Keyed by config path ('learningRate', 'optimizer.name'). */
  params: Record<string, unknown>;
  /** Keyed by metric name ('loss', 'val_accuracy', 'test_accuracy'). */
  metrics: Record<string, MetricSummary>;
  /** The team's fairness gates on this run; null when the team has no rules ('none': no report). */
  gates: { status: 'pass' | 'fail' | 'undefined' | 'none'; failed: string[] } | null;
}

export interface GroupAggregate {
  /** Over the runs' last values (NaN left out). */
  mean: number | null;
  min: number | null;
  max: number | null;
}

export interface RunSearchGroup {
  /** The group's value as text (a user's email, a status, a parameter); null for runs without one. */
  key: string | null;
  /** What to show for the key: the user's name for `user`, else the key. */
  label: string | null;
  count: number;
  /** Keyed by metric name, over the group's runs. */
  aggregates: Record<string, GroupAggregate>;
}

export interface RunSearchResult {
  total: number;
  page: number;
  pageSize: number;
  rows: RunSearchRow[];
  groups?: RunSearchGroup[];
}

export type SearchRunsArgs = RunSearchInput & {
  teamId: string;
  /** What relative times (`created > 7d`) and running durations count from; tests pin it. */
  now?: Date;
};

// ---------------------------------------------------------------------------------------------
// SQL building

type Join = 'user' | 'architecture' | 'dataset';

const JOIN_SQL: Record<Join, string> = {
  user: `LEFT JOIN "User" u ON u.id = r."createdById"`,
  architecture: `LEFT JOIN "ArchitectureVersion" av ON av.id = r."architectureVersionId" LEFT JOIN "Architecture" a ON a.id = av."architectureId"`,
  dataset: `LEFT JOIN "DatasetVersion" dv ON dv.id = r."datasetVersionId" LEFT JOIN "Dataset" d ON d.id = dv."datasetId"`,
};

/** Text that reads as a number (a decimal, as JSON writes numbers). */
const NUMERIC_TEXT = String.raw`^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,4})?\s*$`;

const SQL_OP: Record<Exclude<CompareOp, '~'>, string> = { '=': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

const MIN_TIME = Date.parse('0001-01-01T00:00:00Z');
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');
/**
 * Timestamps are stored as UTC wall time in `timestamp(3)` columns. Clamped to years 1–9999, which
 * is what Postgres reads as ISO text (`created > 100000w` is simply "ever").
 */
const utc = (d: Date) => {
  const t = Number.isNaN(d.getTime()) ? MIN_TIME : Math.min(MAX_TIME, Math.max(MIN_TIME, d.getTime()));
  return new Date(t).toISOString().slice(0, 23);
};
const containsPattern = (s: string) => `%${s.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * One statement under construction: its bind parameters and the joins its expressions need.
 * Every value goes through `param`; the SQL text holds only placeholders and our own names.
 */
class Statement {
  readonly params: unknown[] = [];
  private readonly joins = new Set<Join>();
  private readonly metricJoins = new Map<string, { alias: string; sql: string }>();

  constructor(readonly now: Date) {}

  param(value: unknown, cast?: string): string {
    this.params.push(value);
    return `$${this.params.length}${cast ? `::${cast}` : ''}`;
  }

  need(join: Join): void {
    this.joins.add(join);
  }

  /** A LEFT JOIN on one metric's summary row (unique per run, key and context), for sorting. */
  metricAlias(key: string, context: QueryMetricContext): string {
    const id = `${context}\u0000${key}`;
    let j = this.metricJoins.get(id);
    if (!j) {
      const alias = `m${this.metricJoins.size}`;
      j = {
        alias,
        sql: `LEFT JOIN "MetricSeries" ${alias} ON ${alias}."runId" = r.id AND ${alias}."key" = ${this.param(key)} AND ${alias}."context" = ${this.param(context)}`,
      };
      this.metricJoins.set(id, j);
    }
    return j.alias;
  }

  from(): string {
    return ['"Run" r', ...[...this.joins].map((j) => JOIN_SQL[j]), ...[...this.metricJoins.values()].map((j) => j.sql)].join('\n  ');
  }

  /** Tenant isolation: every statement starts from this. */
  scope(teamId: string, projectId: string): string {
    return `r."teamId" = ${this.param(teamId)} AND r."projectId" = ${this.param(projectId)}`;
  }

  durationExpr(): string {
    return `EXTRACT(EPOCH FROM (COALESCE(r."finishedAt", ${this.param(utc(this.now), 'timestamp')}) - r."startedAt"))::float8`;
  }

  paramText(path: string[]): string {
    return `(r.config #>> ${this.param(path, 'text[]')})`;
  }

  /**
   * The parameter as a number where it is one (or text that reads as one), else NULL: never a
   * cast error. jsonb_typeof first: far cheaper than a regex on every row. numeric, not float8,
   * which a JSON number such as 1e400 would overflow.
   */
  paramNumber(path: string[]): string {
    const p = this.param(path, 'text[]');
    const v = `(r.config #> ${p})`;
    const t = `(r.config #>> ${p})`;
    return `(CASE jsonb_typeof(${v}) WHEN 'number' THEN ${v}::numeric WHEN 'string' THEN CASE WHEN ${t} ~ '${NUMERIC_TEXT}' THEN ${t}::numeric END END)`;
  }
}

// ---------------------------------------------------------------------------------------------
// Filters: every condition is true or false, never NULL, so NOT and OR behave as people expect
// (a comparison with a value the run lacks is false).

function compile(st: Statement, node: QueryNode): string {
  switch (node.type) {
    case 'and':
    case 'or':
      return `(${node.children.map((c) => compile(st, c)).join(node.type === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `NOT ${compile(st, node.child)}`;
    case 'compare':
      return condition(st, node.field, node.op, [node.value]);
    case 'in':
      return condition(st, node.field, node.negated ? 'not in' : 'in', node.values);
  }
}

type Op = CompareOp | 'in' | 'not in';

function condition(st: Statement, field: FieldRef, op: Op, values: QueryValue[]): string {
  switch (field.kind) {
    case 'metric':
      return metricCondition(st, field, op, values);
    case 'param':
      return paramCondition(st, field.path, op, values);
    case 'attribute':
      return attributeCondition(st, field.name, op, values);
  }
}

const numbersOf = (values: QueryValue[]) => values.map((v) => (v.type === 'number' ? v.value : NaN));
const stringsOf = (values: QueryValue[]) => values.map((v) => (v.type === 'string' ? v.value : String((v as { value: unknown }).value)));

function metricCondition(st: Statement, f: Extract<FieldRef, { kind: 'metric' }>, op: Op, values: QueryValue[]): string {
  // EXISTS on (runId, key, context) lets the planner use an index on (key, context, <value>)
  // and a semi-join; NaN (a diverged loss) never satisfies a comparison.
  const col = `s."${f.aggregate}"`;
  let test: string;
  if (op === 'in' || op === 'not in') {
    const any = `${col} = ANY(${st.param(numbersOf(values), 'float8[]')})`;
    test = op === 'in' ? any : `NOT (${any})`;
  } else {
    test = `${col} ${SQL_OP[op as Exclude<CompareOp, '~'>]} ${st.param(numbersOf(values)[0], 'float8')}`;
  }
  return `EXISTS (SELECT 1 FROM "MetricSeries" s WHERE s."runId" = r.id AND s."key" = ${st.param(f.key)} AND s."context" = ${st.param(f.context)} AND ${col} <> 'NaN'::float8 AND ${test})`;
}

function paramCondition(st: Statement, path: string[], op: Op, values: QueryValue[]): string {
  const one = (o: CompareOp, v: QueryValue): string => {
    switch (v.type) {
      case 'number':
        return `COALESCE(${st.paramNumber(path)} ${SQL_OP[o as Exclude<CompareOp, '~'>]} ${st.param(v.value, 'numeric')}, false)`;
      case 'boolean':
        return `COALESCE((r.config #> ${st.param(path, 'text[]')}) ${SQL_OP[o as '=' | '!=']} ${st.param(String(v.value), 'jsonb')}, false)`;
      default: {
        const text = st.paramText(path);
        const value = v.type === 'string' ? v.value : String(v.type === 'date' ? v.value : spanSeconds(v));
        if (o === '~') return `COALESCE(${text} ILIKE ${st.param(containsPattern(value))}, false)`;
        return `COALESCE(${text} ${SQL_OP[o]} ${st.param(value, 'text')}, false)`;
      }
    }
  };
  if (op === 'in' || op === 'not in') {
    const any = `(${values.map((v) => one('=', v)).join(' OR ')})`;
    return op === 'in' ? any : `(${st.paramText(path)} IS NOT NULL AND NOT ${any})`;
  }
  return one(op, values[0]!);
}

function attributeCondition(st: Statement, name: Extract<FieldRef, { kind: 'attribute' }>['name'], op: Op, values: QueryValue[]): string {
  switch (name) {
    case 'tag': {
      // @> and && (not = ANY) so that a GIN index on tags can answer them.
      if (op === '=' || op === '!=') {
        const has = `r.tags @> ARRAY[${st.param(stringsOf(values)[0], 'text')}]`;
        return op === '=' ? has : `NOT (${has})`;
      }
      if (op === '~') return `EXISTS (SELECT 1 FROM unnest(r.tags) AS t(tag) WHERE t.tag ILIKE ${st.param(containsPattern(stringsOf(values)[0]!))})`;
      const overlaps = `r.tags && ${st.param(stringsOf(values), 'text[]')}`;
      return op === 'in' ? `(${overlaps})` : `NOT (${overlaps})`;
    }
    case 'user': {
      st.need('user');
      const is = (v: string) => {
        const p = st.param(v, 'text');
        return `(lower(u.email) = lower(${p}) OR lower(u.name) = lower(${p}))`;
      };
      const texts = stringsOf(values);
      if (op === '~') {
        const p = st.param(containsPattern(texts[0]!));
        return `COALESCE(u.email ILIKE ${p} OR u.name ILIKE ${p}, false)`;
      }
      const any = texts.map(is).join(' OR ');
      return op === '=' || op === 'in' ? `COALESCE(${any}, false)` : `COALESCE(NOT (${any}), false)`;
    }
    case 'status':
    case 'name':
    case 'architecture':
    case 'dataset':
    case 'backend':
    case 'device':
    case 'paradigm': {
      const expr = textAttribute(st, name);
      if (op === '~') return `COALESCE(${expr} ILIKE ${st.param(containsPattern(stringsOf(values)[0]!))}, false)`;
      if (op === 'in' || op === 'not in') {
        const any = `${expr} = ANY(${st.param(stringsOf(values), 'text[]')})`;
        return op === 'in' ? `COALESCE(${any}, false)` : `COALESCE(NOT (${any}), false)`;
      }
      return `COALESCE(${expr} ${SQL_OP[op as '=' | '!=']} ${st.param(stringsOf(values)[0], 'text')}, false)`;
    }
    case 'number': {
      if (op === 'in' || op === 'not in') {
        const any = `r.number = ANY(${st.param(numbersOf(values), 'numeric[]')})`;
        return op === 'in' ? any : `NOT (${any})`;
      }
      return `r.number ${SQL_OP[op as Exclude<CompareOp, '~'>]} ${st.param(numbersOf(values)[0], 'numeric')}`;
    }
    case 'duration': {
      const v = values[0]!;
      const seconds = v.type === 'span' ? spanSeconds(v) : v.type === 'number' ? v.value : NaN;
      return `COALESCE(${st.durationExpr()} ${SQL_OP[op as Exclude<CompareOp, '~'>]} ${st.param(seconds, 'float8')}, false)`;
    }
    case 'created':
      return createdCondition(st, op as Exclude<CompareOp, '~'>, values[0]!);
  }
}

function textAttribute(st: Statement, name: 'status' | 'name' | 'architecture' | 'dataset' | 'backend' | 'device' | 'paradigm'): string {
  switch (name) {
    case 'status':
      return 'r.status::text';
    case 'name':
      return 'r.name';
    case 'architecture':
      st.need('architecture');
      return 'a.name';
    case 'dataset':
      st.need('dataset');
      return 'd.name';
    case 'backend':
      return 'r.backend';
    case 'device':
      return 'r.device';
    case 'paradigm':
      return 'r.paradigm';
  }
}

function createdCondition(st: Statement, op: Exclude<CompareOp, '~'>, v: QueryValue): string {
  const col = 'r."createdAt"';
  const at = (d: Date) => st.param(utc(d), 'timestamp');
  if (v.type === 'span') return `${col} ${SQL_OP[op]} ${at(new Date(st.now.getTime() - spanSeconds(v) * 1000))}`;
  if (v.type !== 'date') throw badRequest('created compares with a date or a time ago', 'query');
  const start = new Date(v.value);
  if (!v.dateOnly) return `${col} ${SQL_OP[op]} ${at(start)}`;
  // A calendar day is the whole day: `= 2024-05-01` is that day, `> 2024-05-01` after it.
  const next = new Date(start.getTime() + 86_400_000);
  switch (op) {
    case '=':
      return `(${col} >= ${at(start)} AND ${col} < ${at(next)})`;
    case '!=':
      return `NOT (${col} >= ${at(start)} AND ${col} < ${at(next)})`;
    case '>':
      return `${col} >= ${at(next)}`;
    case '>=':
      return `${col} >= ${at(start)}`;
    case '<':
      return `${col} < ${at(start)}`;
    case '<=':
      return `${col} < ${at(next)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Sorting and grouping

interface SortExpression {
  expr: string;
  /** A NOT NULL column: sorted without NULLS LAST, so that an index on it gives the order. */
  notNull?: boolean;
}

/** The expressions a field sorts by (several where ties need breaking, e.g. numeric then text). */
function sortExpressions(st: Statement, f: FieldRef): SortExpression[] {
  switch (f.kind) {
    case 'metric':
      return [{ expr: `NULLIF(${st.metricAlias(f.key, f.context)}."${f.aggregate}", 'NaN'::float8)` }];
    case 'param': {
      // Numbers first, then the other values as text; the text key is NULL for numbers so that
      // ties on a number never fall through to a (slow, collation-aware) text comparison.
      const p = st.param(f.path, 'text[]');
      return [{ expr: st.paramNumber(f.path) }, { expr: `(CASE WHEN jsonb_typeof(r.config #> ${p}) <> 'number' THEN r.config #>> ${p} END)` }];
    }
    case 'attribute':
      switch (f.name) {
        case 'user':
          st.need('user');
          return [{ expr: 'lower(u.name)' }, { expr: 'u.email' }];
        case 'architecture':
          st.need('architecture');
          return [{ expr: 'a.name' }, { expr: 'av.version' }];
        case 'dataset':
          st.need('dataset');
          return [{ expr: 'd.name' }, { expr: 'dv.version' }];
        case 'created':
          return [{ expr: 'r."createdAt"', notNull: true }];
        case 'duration':
          return [{ expr: st.durationExpr() }];
        case 'backend':
          return [{ expr: 'r.backend' }];
        case 'device':
          return [{ expr: 'r.device' }];
        case 'tag':
          throw badRequest('Runs cannot be sorted by tag', 'sort'); // parseSortField refuses it first
        default:
          return [{ expr: `r.${f.name}`, notNull: true }];
      }
  }
}

function groupExpressions(st: Statement, f: FieldRef): { key: string; label: string } {
  if (f.kind === 'param') {
    const text = st.paramText(f.path);
    return { key: text, label: text };
  }
  if (f.kind === 'attribute' && (GROUPABLE_ATTRIBUTES as readonly string[]).includes(f.name)) {
    if (f.name === 'user') {
      st.need('user');
      return { key: 'u.email', label: 'u.name' };
    }
    const expr = textAttribute(st, f.name as Parameters<typeof textAttribute>[1]);
    return { key: expr, label: expr };
  }
  throw badRequest(`Runs can be grouped by ${GROUPABLE_ATTRIBUTES.join(', ')} or params.<path>, not ${formatField(f)}`, 'groupBy');
}

// ---------------------------------------------------------------------------------------------
// Columns

interface ColumnSelection {
  /** null: every non-system metric. */
  metrics: Array<{ key: string; context: QueryMetricContext }> | null;
  /** null: the whole config, flattened. */
  params: string[][] | null;
}

function columnsOf(columns: RunSearchInput['columns']): ColumnSelection {
  return {
    metrics: columns?.metrics ? columns.metrics.map((m) => metricFromName(m.replace(/^metrics\./, ''))) : null,
    params: columns?.params ? columns.params.map((p) => resolveParamAlias(p.replace(/^params\./, '').split('.'))) : null,
  };
}

function metricFilter(st: Statement, cols: ColumnSelection, alias: string): string {
  if (!cols.metrics) return `${alias}."context" <> 'system'`;
  if (cols.metrics.length === 0) return 'false';
  return `(${alias}."key", ${alias}."context") IN (SELECT * FROM unnest(${st.param(
    cols.metrics.map((m) => m.key),
    'text[]',
  )}, ${st.param(
    cols.metrics.map((m) => m.context),
    'text[]',
  )}))`;
}

/** Postgres writes NaN and ±Infinity in JSON as strings. */
function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'number' ? v : Number(v);
}

function pick(config: unknown, path: string[]): unknown {
  let cur: unknown = config;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function flatten(value: unknown, prefix: string, out: Record<string, unknown>): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The service

function parseOrReject<T>(what: 'query' | 'sort' | 'groupBy', text: string, parse: (t: string) => T): T {
  try {
    return parse(text);
  } catch (e) {
    if (!(e instanceof QuerySyntaxError)) throw e;
    throw badRequest(what === 'query' ? e.message : `${what === 'sort' ? 'Sort' : 'Group'} field '${text}': ${e.detail}`, what);
  }
}

interface PageRow {
  /** With a filter only (count(*) OVER ()). */
  total: number | null;
  id: string;
  number: number;
  name: string;
  status: RunStatus;
  paradigm: string;
  backend: string | null;
  device: string | null;
  tags: string[];
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  config: unknown;
  durationSeconds: number | null;
  userId: string | null;
  userName: string | null;
  userEmail: string | null;
  architectureId: string | null;
  architectureName: string | null;
  architectureVersion: number | null;
  datasetId: string | null;
  datasetName: string | null;
  datasetVersion: number | null;
  /** [key, context, last, min, max] per series. */
  metrics: Array<[string, QueryMetricContext, unknown, unknown, unknown]>;
  /** evaluation.fairness.gates as stored (lib/schemas/run-documents ZGateInput). */
  fairnessGates: unknown;
}

/** A filtered, sorted page of a project's runs, and optionally groups over all matching runs. */
export async function searchRuns(args: SearchRunsArgs): Promise<RunSearchResult> {
  const { teamId, now = new Date() } = args;
  const input = ZRunSearchInput.parse(args);
  const filter = input.query?.trim() ? parseOrReject('query', input.query, parseQuery) : null;
  const sort: SortKey[] = (input.sort ?? []).map((s) => ({ field: parseOrReject('sort', s.field, parseSortField), dir: s.dir }));
  if (sort.length === 0) sort.push({ field: { kind: 'attribute', name: 'created' }, dir: 'desc' });
  const groupField = input.groupBy ? parseOrReject('groupBy', input.groupBy, parseField) : null;
  const cols = columnsOf(input.columns);

  const where = (st: Statement) => `${st.scope(teamId, input.projectId)}${filter ? ` AND ${compile(st, filter)}` : ''}`;
  // With a filter, the total comes with the page (count(*) OVER ()), so the filter runs once.
  // Without one, a separate count is an index-only scan and the page can stop after LIMIT rows
  // (newest first straight from an index on createdAt) instead of reading every run.
  // The database's part is kept per project until something in it changes (search-cache.ts);
  // the team's gate rules are applied fresh to every answer.
  const key = JSON.stringify([teamId, input.query?.trim() ?? '', input.sort ?? [], input.columns ?? null, input.page, input.pageSize, input.groupBy ?? null]);
  const compute = async () => {
    const [page, separateTotal, groups] = await Promise.all([
      fetchPage(where, sort, cols, input.page, input.pageSize, now, filter !== null),
      filter ? Promise.resolve(undefined) : countRuns(where, now),
      groupField ? fetchGroups(where, groupField, cols, now) : Promise.resolve(undefined),
    ]);
    // Past the last page (or nothing matches), no row came back to carry the window count.
    const total = separateTotal ?? page[0]?.total ?? (await countRuns(where, now));
    return { page, total, groups };
  };
  // A caller-supplied clock (tests, reproducible reports) always computes.
  const cached = args.now ? compute() : searchCache().get(input.projectId, key, compute);
  const [{ page, total, groups }, rules] = await Promise.all([cached, listGateRules(teamId, { enabledOnly: true })]);
  return { total, page: input.page, pageSize: input.pageSize, rows: page.map((r) => toRow(r, cols, rules)), ...(groups ? { groups } : {}) };
}

async function countRuns(where: (st: Statement) => string, now: Date): Promise<number> {
  const st = new Statement(now);
  const w = where(st);
  const [c] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${st.from()} WHERE ${w}`, st.params);
  return c!.n;
}

async function fetchPage(where: (st: Statement) => string, sort: SortKey[], cols: ColumnSelection, page: number, pageSize: number, now: Date, withTotal: boolean): Promise<PageRow[]> {
  const st = new Statement(now);
  const w = where(st);
  const keys = sort.flatMap((s) => sortExpressions(st, s.field).map((e) => ({ ...e, dir: s.dir })));
  // NULLs last either way; the newest run first among equals, so that pages never overlap.
  const order = (table: string) => [...keys.map((k, i) => `${table}_s${i} ${k.dir === 'desc' ? 'DESC' : 'ASC'}${k.notNull ? '' : ' NULLS LAST'}`), `${table}number DESC`].join(', ');
  const text = `
WITH page AS (
  SELECT r.id, r.number${withTotal ? ', count(*) OVER () AS total' : ''}${keys.map((k, i) => `, ${k.expr} AS _s${i}`).join('')}
  FROM ${st.from()}
  WHERE ${w}
  ORDER BY ${order('')}
  LIMIT ${st.param(pageSize, 'int')} OFFSET ${st.param((page - 1) * pageSize, 'int')}
), page_metrics AS (
  SELECT s."runId", json_agg(json_build_array(s."key", s."context", s."last", s."min", s."max")) AS metrics
  FROM "MetricSeries" s
  WHERE s."runId" = ANY (ARRAY(SELECT id FROM page)) AND ${metricFilter(st, cols, 's')}
  GROUP BY s."runId"
)
SELECT ${withTotal ? 'page.total::int' : 'NULL::int'} AS total, r.id, r.number, r.name, r.status::text AS status, r.paradigm, r.backend, r.device, r.tags,
  r."createdAt", r."startedAt", r."finishedAt", r.config, ${st.durationExpr()} AS "durationSeconds",
  r.evaluation #> '{fairness,gates}' AS "fairnessGates",
  u.id AS "userId", u.name AS "userName", u.email AS "userEmail",
  a.id AS "architectureId", a.name AS "architectureName", av.version AS "architectureVersion",
  d.id AS "datasetId", d.name AS "datasetName", dv.version AS "datasetVersion",
  COALESCE(pm.metrics, '[]'::json) AS metrics
FROM page
  JOIN "Run" r ON r.id = page.id
  LEFT JOIN page_metrics pm ON pm."runId" = page.id
  ${JOIN_SQL.user}
  ${JOIN_SQL.architecture}
  ${JOIN_SQL.dataset}
ORDER BY ${order('page.')}`;
  return sql<PageRow>(text, st.params);
}

function toRow(r: PageRow, cols: ColumnSelection, rules: GateRuleRow[]): RunSearchRow {
  const metrics: Record<string, MetricSummary> = {};
  for (const [key, context, last, min, max] of r.metrics) metrics[metricName(key, context)] = { last: num(last), min: num(min), max: num(max) };
  let params: Record<string, unknown>;
  if (cols.params) {
    params = {};
    for (const path of cols.params) params[path.join('.')] = pick(r.config, path) ?? null;
  } else {
    params = flatten(r.config, '', {});
  }
  return {
    id: r.id,
    number: r.number,
    name: r.name,
    status: r.status,
    paradigm: r.paradigm,
    user: r.userId ? { id: r.userId, name: r.userName!, email: r.userEmail! } : null,
    architecture: r.architectureId ? { id: r.architectureId, name: r.architectureName!, version: r.architectureVersion! } : null,
    dataset: r.datasetId ? { id: r.datasetId, name: r.datasetName!, version: r.datasetVersion! } : null,
    backend: r.backend,
    device: r.device,
    tags: r.tags,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationSeconds: r.durationSeconds,
    params,
    metrics,
    gates: compactGates(gradeRun(rules, rules.length ? (ZGateInput.safeParse(r.fairnessGates).data ?? null) : null)),
  };
}

function compactGates(g: RunGates): RunSearchRow['gates'] {
  if (g.status === null) return null;
  return { status: g.status, failed: g.results.filter((r) => !r.passed).map((r) => (r.value === null ? `${r.description}: undefined` : `${r.description}: ${Number(r.value.toFixed(4))}`)) };
}

/** The most groups a search returns (by key); grouping by a near-unique parameter is not a table. */
export const GROUP_LIMIT = 1000;

async function fetchGroups(where: (st: Statement) => string, field: FieldRef, cols: ColumnSelection, now: Date): Promise<RunSearchGroup[]> {
  const st = new Statement(now);
  const w = where(st);
  const g = groupExpressions(st, field);
  // Joined on (is null, coalesce) rather than IS NOT DISTINCT FROM, which cannot hash: a
  // parameter with thousands of distinct values must not make a nested loop.
  const text = `
WITH f AS MATERIALIZED (
  SELECT r.id, ${g.key} AS gk, ${g.label} AS gl FROM ${st.from()} WHERE ${w}
), counts AS (
  SELECT gk IS NULL AS gnull, COALESCE(gk, '') AS gkey, gk, min(gl) AS gl, count(*)::int AS n
  FROM f GROUP BY gk
  ORDER BY gk ASC NULLS LAST
  LIMIT ${st.param(GROUP_LIMIT, 'int')}
), aggs AS (
  SELECT f.gk, s."key", s."context",
    avg(NULLIF(s."last", 'NaN'::float8)) AS mean, min(NULLIF(s."last", 'NaN'::float8)) AS min, max(NULLIF(s."last", 'NaN'::float8)) AS max
  FROM f JOIN "MetricSeries" s ON s."runId" = f.id
  WHERE ${metricFilter(st, cols, 's')}
  GROUP BY f.gk, s."key", s."context"
), per_group AS (
  SELECT gk IS NULL AS gnull, COALESCE(gk, '') AS gkey,
    json_agg(json_build_object('key', "key", 'context', "context", 'mean', mean, 'min', min, 'max', max)) AS aggregates
  FROM aggs GROUP BY gk
)
SELECT c.gk AS key, c.gl AS label, c.n AS count, COALESCE(p.aggregates, '[]'::json) AS aggregates
FROM counts c LEFT JOIN per_group p ON p.gnull = c.gnull AND p.gkey = c.gkey
ORDER BY c.gk ASC NULLS LAST`;
  const rows = await sql<{ key: string | null; label: string | null; count: number; aggregates: Array<{ key: string; context: QueryMetricContext; mean: unknown; min: unknown; max: unknown }> }>(
    text,
    st.params,
  );
  return rows.map((r) => ({
    key: r.key,
    label: r.label,
    count: r.count,
    aggregates: Object.fromEntries(r.aggregates.map((a) => [metricName(a.key, a.context), { mean: num(a.mean), min: num(a.min), max: num(a.max) }])),
  }));
}

// ---------------------------------------------------------------------------------------------
// What can be filtered, sorted and shown

export interface AvailableColumns {
  metrics: Array<{ name: string; field: string; key: string; context: QueryMetricContext; runs: number }>;
  /**
   * Leaf paths of the runs' configs (down to three levels), sorted; `types` are the JSON types
   * seen (number, string, boolean, array, null; object for what nests deeper).
   */
  params: Array<{ path: string; field: string; types: string[]; runs: number }>;
}

/** The metric names and config paths present in a project's runs, for dynamic columns and the filter builder. */
export async function availableColumns(teamId: string, projectId: string): Promise<AvailableColumns> {
  const [metrics, params] = await Promise.all([
    prisma.$queryRawUnsafe<Array<{ key: string; context: QueryMetricContext; runs: number }>>(
      `SELECT s."key", s."context", count(*)::int AS runs
       FROM "Run" r JOIN "MetricSeries" s ON s."runId" = r.id
       WHERE r."teamId" = $1 AND r."projectId" = $2
       GROUP BY s."key", s."context"
       ORDER BY array_position(ARRAY['train', 'validation', 'test', 'system'], s."context"), s."key"`,
      teamId,
      projectId,
    ),
    // Three levels of jsonb_each joined laterally: half the cost of a recursive walk, and run
    // configs nest two deep (optimizer.name, checkpoint.monitor). Deeper objects are one column.
    prisma.$queryRawUnsafe<Array<{ k1: string; k2: string | null; k3: string | null; type: string; runs: number }>>(
      `SELECT e1.key AS k1, e2.key AS k2, e3.key AS k3, jsonb_typeof(COALESCE(e3.value, e2.value, e1.value)) AS type, count(*)::int AS runs
       FROM "Run" r
       CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(r.config) = 'object' THEN r.config END) e1
       LEFT JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(e1.value) = 'object' THEN e1.value END) e2 ON true
       LEFT JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(e2.value) = 'object' THEN e2.value END) e3 ON true
       WHERE r."teamId" = $1 AND r."projectId" = $2
       GROUP BY 1, 2, 3, 4`,
      teamId,
      projectId,
    ),
  ]);
  return {
    metrics: metrics.map((m) => {
      const field: FieldRef = { kind: 'metric', key: m.key, context: m.context, aggregate: 'last' };
      return { name: metricName(m.key, m.context), field: formatField(field), key: m.key, context: m.context, runs: m.runs };
    }),
    params: paramColumns(params),
  };
}

function paramColumns(rows: Array<{ k1: string; k2: string | null; k3: string | null; type: string; runs: number }>): AvailableColumns['params'] {
  const byPath = new Map<string, { path: string[]; types: Set<string>; runs: number }>();
  for (const r of rows) {
    // An empty object has no leaves: it is not a column.
    if (r.type === 'object' && (r.k3 === null || r.k2 === null)) continue;
    const path = [r.k1, r.k2, r.k3].filter((k): k is string => k !== null);
    const id = JSON.stringify(path);
    let p = byPath.get(id);
    if (!p) byPath.set(id, (p = { path, types: new Set(), runs: 0 }));
    p.types.add(r.type);
    // A path occurs once per config, so per-type counts add up to the runs that have it.
    p.runs += r.runs;
  }
  return [...byPath.values()]
    .map((p) => ({ path: p.path.join('.'), field: formatField({ kind: 'param', path: p.path }), types: [...p.types].sort(), runs: p.runs }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
