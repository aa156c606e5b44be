/**
 * The runs-table query language: what users type to filter and sort a project's runs, e.g.
 *
 *   metrics.val_accuracy > 0.9 and params.lr < 0.01 and user = "ana@lab.org" and tag = "baseline"
 *
 * A hand-written lexer and recursive-descent parser turn the text into a typed AST, checking
 * fields, operators and values as they go, so every mistake is reported with the column it is at
 * (the web form and the server share this module; the server translates the AST to SQL in
 * server/services/run-search.ts). `formatQuery` prints an AST back as canonical text, and
 * `parseQuery(formatQuery(ast))` gives the same AST.
 *
 * Grammar (keywords case-insensitive):
 *
 *   query      := or-expr?
 *   or-expr    := and-expr ('or' and-expr)*
 *   and-expr   := not-expr ('and' not-expr)*
 *   not-expr   := 'not' not-expr | '(' or-expr ')' | condition
 *   condition  := field op value | field ['not'] 'in' '(' value (',' value)* ')'
 *   op         := '=' | '!=' | '>' | '>=' | '<' | '<=' | '~'          ('~': contains, any case)
 *   field      := 'metrics.' ['val_' | 'test_' | 'sys_'] key ['.last' | '.min' | '.max']
 *               | 'params.' path | status | name | user | tag | architecture | dataset
 *               | backend | device | paradigm | number | created | duration
 *   value      := "string" | 'string' | number | true | false | bare-word
 *               | 2024-05-01[T10:30[:00][Z|+02:00]] | 7d | 24h | 30m | 90s | 2w
 *   sort-spec  := field ['asc' | 'desc'] (',' field ['asc' | 'desc'])*
 *
 * A key or path segment that is not a plain name can be quoted: `metrics."top-1 acc".max`.
 * A comparison with a value the run does not have (a metric it never logged, a missing
 * parameter, a run not started for `duration`) is false, so `not` selects those runs.
 */
import { InvalidInputError } from '../errors';
import { z } from 'zod';
import { RUN_STATUSES } from '../schemas/run-input';
import { BATCH_METRICS, ZRunConfig } from '../schemas/runs';

// ---------------------------------------------------------------------------------------------
// Fields, values and the AST

export const METRIC_AGGREGATES = ['last', 'min', 'max'] as const;
export type MetricAggregate = (typeof METRIC_AGGREGATES)[number];

/** Metric contexts as MetricSeries stores them, and the prefix that names each in a query. */
export const QUERY_METRIC_CONTEXTS = ['train', 'validation', 'test', 'system'] as const;
export type QueryMetricContext = (typeof QUERY_METRIC_CONTEXTS)[number];
const CONTEXT_PREFIX: Record<QueryMetricContext, string> = { train: '', validation: 'val_', test: 'test_', system: 'sys_' };

export const RUN_ATTRIBUTES = ['status', 'name', 'user', 'tag', 'architecture', 'dataset', 'backend', 'device', 'paradigm', 'number', 'created', 'duration'] as const;
export type RunAttribute = (typeof RUN_ATTRIBUTES)[number];

/** Short names for the config paths people filter by most. */
export const PARAM_ALIASES: Readonly<Record<string, readonly string[]>> = {
  lr: ['learningRate'],
  batch_size: ['batchSize'],
  optimizer: ['optimizer', 'name'],
};

export type FieldRef = { kind: 'metric'; key: string; context: QueryMetricContext; aggregate: MetricAggregate } | { kind: 'param'; path: string[] } | { kind: 'attribute'; name: RunAttribute };

export const TIME_UNITS = ['s', 'm', 'h', 'd', 'w'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];
const UNIT_SECONDS: Record<TimeUnit, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

export type QueryValue =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  /** An instant as ISO text in UTC; `dateOnly` for a calendar day (`created = 2024-05-01` is that day). */
  | { type: 'date'; value: string; dateOnly: boolean }
  /** A span of time: seconds for `duration`, "that long ago" for `created`. */
  | { type: 'span'; amount: number; unit: TimeUnit };

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';
export const COMPARE_OPS: readonly CompareOp[] = ['=', '!=', '>', '>=', '<', '<=', '~'];

export type QueryNode =
  | { type: 'and'; children: QueryNode[] }
  | { type: 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode }
  | { type: 'compare'; field: FieldRef; op: CompareOp; value: QueryValue }
  | { type: 'in'; field: FieldRef; negated: boolean; values: QueryValue[] };

export type SortDirection = 'asc' | 'desc';
export interface SortKey {
  field: FieldRef;
  dir: SortDirection;
}

export function spanSeconds(v: { amount: number; unit: TimeUnit }): number {
  return v.amount * UNIT_SECONDS[v.unit];
}

/** The metric's name in queries and in result rows: 'loss', 'val_accuracy', 'test_mae'. */
export function metricName(key: string, context: QueryMetricContext): string {
  return CONTEXT_PREFIX[context] + key;
}

/** The inverse of metricName: 'val_accuracy' → accuracy in the validation context. */
export function metricFromName(name: string): { key: string; context: QueryMetricContext } {
  for (const context of ['validation', 'test', 'system'] as const) {
    const p = CONTEXT_PREFIX[context];
    if (name.startsWith(p)) return { key: name.slice(p.length), context };
  }
  return { key: name, context: 'train' };
}

/** `['lr']` → `['learningRate']`; other paths are kept. */
export function resolveParamAlias(path: string[]): string[] {
  const alias = path.length === 1 ? own(PARAM_ALIASES, path[0]!) : undefined;
  return alias ? [...alias] : path;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** A mistake in a query, sort spec or field name; `message` starts with "column N: ". */
export class QuerySyntaxError extends InvalidInputError {
  /** 1-based, for people; `position` is the 0-based offset into the text. */
  readonly column: number;
  constructor(
    readonly position: number,
    /** The message without the "column N: " prefix. */
    readonly detail: string,
  ) {
    super(`column ${position + 1}: ${detail}`, { field: 'query' });
    this.name = 'QuerySyntaxError';
    this.column = position + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Lexer

interface Segment {
  text: string;
  quoted: boolean;
}

type Token = { start: number; end: number } & (
  | { kind: 'word'; segments: Segment[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'date'; value: string; dateOnly: boolean }
  | { kind: 'span'; amount: number; unit: TimeUnit }
  | { kind: 'op'; op: CompareOp }
  | { kind: '(' | ')' | ',' | 'eof' }
);

/** A record lookup that ignores Object.prototype (a field named `constructor` is just a name). */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

const TWO_CHAR_OPS: Record<string, CompareOp> = { '>=': '>=', '<=': '<=', '!=': '!=', '<>': '!=', '==': '=' };
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', t: '\t', r: '\r', '/': '/' };

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'asc', 'desc']);
const isWordStart = (c: string) => /[A-Za-z_]/.test(c);
const isWordChar = (c: string) => /[A-Za-z0-9_-]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?/;
const NUMBER_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/;

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, detail: string): never => {
    throw new QuerySyntaxError(at, detail);
  };

  const readString = (start: number): { value: string; end: number } => {
    const quote = src[start]!;
    let out = '';
    let j = start + 1;
    for (;;) {
      if (j >= src.length) fail(start, 'unterminated string');
      const c = src[j]!;
      if (c === quote) return { value: out, end: j + 1 };
      if (c !== '\\') {
        out += c;
        j++;
        continue;
      }
      const e = src[j + 1];
      if (e === undefined) fail(start, 'unterminated string');
      const simple = own(ESCAPES, e!);
      if (simple !== undefined) {
        out += simple;
        j += 2;
      } else if (e === 'u') {
        const hex = src.slice(j + 2, j + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(j, 'expected four hex digits after \\u in string');
        out += String.fromCharCode(parseInt(hex, 16));
        j += 6;
      } else {
        fail(j, `unknown escape '\\${e}' in string (write \\\\ for a backslash)`);
      }
    }
  };

  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, start, end: ++i });
      continue;
    }
    if (c === '"' || c === "'") {
      const s = readString(i);
      tokens.push({ kind: 'string', value: s.value, start, end: s.end });
      i = s.end;
      continue;
    }
    const two = src.slice(i, i + 2);
    const op2 = own(TWO_CHAR_OPS, two);
    if (op2) {
      tokens.push({ kind: 'op', op: op2, start, end: (i += 2) });
      continue;
    }
    if (c === '=' || c === '>' || c === '<' || c === '~') {
      tokens.push({ kind: 'op', op: c, start, end: ++i });
      continue;
    }
    if (two === '&&' || two === '||') fail(i, `unexpected '${two}' (write '${two === '&&' ? 'and' : 'or'}')`);
    if (c === '!') fail(i, "unexpected '!' (write 'not', or '!=' for not equal)");
    const rest = src.slice(i);
    if (isDigit(c)) {
      const d = DATE_RE.exec(rest);
      if (d) {
        const end = i + d[0].length;
        if (end < src.length && isWordChar(src[end]!)) fail(i, `malformed date '${src.slice(i, wordEnd(src, end))}'`);
        tokens.push({ kind: 'date', ...parseDate(d, i), start, end });
        i = end;
        continue;
      }
    }
    if (isDigit(c) || ((c === '.' || c === '-') && NUMBER_RE.test(rest))) {
      const m = NUMBER_RE.exec(rest);
      if (!m) fail(i, `unexpected '${c}'`);
      const end = i + m![0].length;
      const value = Number(m![0]);
      if (!Number.isFinite(value)) fail(i, `number '${m![0]}' is out of range`);
      if (end < src.length && isWordStart(src[end]!)) {
        const suffixEnd = wordEnd(src, end);
        const suffix = src.slice(end, suffixEnd);
        if ((TIME_UNITS as readonly string[]).includes(suffix) && value >= 0) {
          tokens.push({ kind: 'span', amount: value, unit: suffix as TimeUnit, start, end: suffixEnd });
          i = suffixEnd;
          continue;
        }
        if (KEYWORDS.has(suffix.toLowerCase())) fail(end, `expected a space between ${m![0]} and '${suffix}'`);
        if (/^[eE]/.test(suffix) || value < 0) fail(i, `malformed number '${src.slice(i, suffixEnd)}'`);
        fail(end, `unknown time unit '${suffix}' after ${m![0]} (use s, m, h, d or w, as in 7d)`);
      }
      if (end < src.length && /[-.:0-9]/.test(src[end]!)) {
        let e = end;
        while (e < src.length && /[-.:0-9A-Za-z_+]/.test(src[e]!)) e++;
        fail(i, `malformed number or date '${src.slice(i, e)}' (dates are written 2024-05-01)`);
      }
      tokens.push({ kind: 'number', value, start, end });
      i = end;
      continue;
    }
    if (isWordStart(c)) {
      const segments: Segment[] = [];
      let j = wordEnd(src, i);
      segments.push({ text: src.slice(i, j), quoted: false });
      while (src[j] === '.') {
        const k = j + 1;
        const n = src[k];
        if (n === '"' || n === "'") {
          const s = readString(k);
          if (s.value === '') fail(k, "expected a name after '.', found an empty string");
          segments.push({ text: s.value, quoted: true });
          j = s.end;
        } else if (n !== undefined && isWordChar(n)) {
          const e = wordEnd(src, k);
          segments.push({ text: src.slice(k, e), quoted: false });
          j = e;
        } else {
          fail(k, `expected a name after '${src.slice(i, k)}'`);
        }
      }
      tokens.push({ kind: 'word', segments, start, end: j });
      i = j;
      continue;
    }
    fail(i, `unexpected '${c}'; put values with spaces or symbols in quotes, as in "ana@lab.org"`);
  }
  tokens.push({ kind: 'eof', start: src.length, end: src.length });
  return tokens;
}

function wordEnd(src: string, from: number): number {
  let j = from;
  while (j < src.length && isWordChar(src[j]!)) j++;
  return j;
}

function parseDate(m: RegExpExecArray, at: number): { value: string; dateOnly: boolean } {
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const dateOnly = h === undefined;
  const iso = `${y}-${mo}-${d}T${h ?? '00'}:${mi ?? '00'}:${s ?? '00'}.${(frac ?? '').padEnd(3, '0').slice(0, 3)}${normaliseZone(zone)}`;
  const date = new Date(iso);
  // Date silently rolls 2024-02-30 over to March; a day or hour out of range is a typo.
  const valid =
    !Number.isNaN(date.getTime()) &&
    Number(mo) >= 1 &&
    Number(mo) <= 12 &&
    Number(d) >= 1 &&
    Number(d) <= new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate() &&
    Number(h ?? 0) <= 23 &&
    Number(mi ?? 0) <= 59 &&
    Number(s ?? 0) <= 59;
  if (!valid) throw new QuerySyntaxError(at, `invalid date '${m[0]}'`);
  return { value: date.toISOString(), dateOnly };
}

function normaliseZone(zone: string | undefined): string {
  if (!zone || zone === 'Z') return 'Z';
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

// ---------------------------------------------------------------------------------------------
// Fields

function isKeyword(t: Token, kw?: string): boolean {
  if (t.kind !== 'word' || t.segments.length !== 1 || t.segments[0]!.quoted) return false;
  const w = t.segments[0]!.text.toLowerCase();
  return kw ? w === kw : KEYWORDS.has(w);
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

const FIELD_SYNONYMS: Record<string, string> = {
  metric: 'metrics',
  param: 'params',
  config: 'params',
  hparams: 'params',
  hyperparams: 'params',
  created_at: 'created',
  createdat: 'created',
  date: 'created',
  tags: 'tag',
  owner: 'user',
  author: 'user',
  creator: 'user',
  arch: 'architecture',
  model: 'architecture',
  data: 'dataset',
  state: 'status',
  gpu: 'device',
  adapter: 'device',
  id: 'number',
  time: 'duration',
  runtime: 'duration',
};
const CONFIG_KEYS: readonly string[] = Object.keys(ZRunConfig.shape);
const COMMON_METRICS: readonly string[] = ['loss', ...BATCH_METRICS, 'acc', 'auc', 'f1', 'precision', 'recall', 'reward', 'return'];

function closest(word: string, candidates: readonly string[], maxDistance: number): string | undefined {
  let best: string | undefined;
  let bestD = maxDistance + 1;
  for (const c of candidates) {
    const d = levenshtein(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function suggestField(segments: Segment[]): string | undefined {
  const [first, ...rest] = segments.map((s) => s.text);
  const lower = first!.toLowerCase();
  const restText = rest.map((s) => (isPlainName(s) ? s : quote(s))).join('.');
  if (rest.length > 0) {
    const synonym = own(FIELD_SYNONYMS, lower);
    const prefix = synonym === 'metrics' || synonym === 'params' ? synonym : closest(lower, ['metrics', 'params'], 3);
    if (prefix) return `${prefix}.${restText}`;
    return synonym ?? closest(lower, RUN_ATTRIBUTES, lower.length <= 3 ? 1 : 2);
  }
  const attr = own(FIELD_SYNONYMS, lower) ?? closest(lower, RUN_ATTRIBUTES, lower.length <= 3 ? 1 : 2);
  if (attr && attr !== 'metrics' && attr !== 'params') return attr;
  if (/^(val|test|sys)_/.test(first!) || COMMON_METRICS.includes(lower)) return `metrics.${first}`;
  if (own(PARAM_ALIASES, first!) || CONFIG_KEYS.includes(first!)) return `params.${first}`;
  return undefined;
}

function fieldFromWord(t: Extract<Token, { kind: 'word' }>, src: string): FieldRef {
  const segs = t.segments;
  const head = segs[0]!.text.toLowerCase();
  const fail = (at: number, detail: string): never => {
    throw new QuerySyntaxError(at, detail);
  };
  if ((head === 'metrics' || head === 'params') && segs.length === 1) {
    fail(t.end, `expected a ${head === 'metrics' ? 'metric name' : 'parameter path'} after '${segs[0]!.text}.', as in ${head === 'metrics' ? 'metrics.val_accuracy' : 'params.lr'}`);
  }
  if (head === 'metrics') {
    const rest = segs.slice(1);
    let aggregate: MetricAggregate = 'last';
    const last = rest[rest.length - 1]!;
    if (rest.length > 1 && !last.quoted && (METRIC_AGGREGATES as readonly string[]).includes(last.text.toLowerCase())) {
      aggregate = last.text.toLowerCase() as MetricAggregate;
      rest.pop();
    }
    const name = rest.map((s) => s.text).join('.');
    const { key, context } = metricFromName(name);
    if (key === '') fail(t.end, `expected a metric name after '${name}', as in metrics.${name}accuracy`);
    return { kind: 'metric', key, context, aggregate };
  }
  if (head === 'params') {
    const path = segs.slice(1).map((s) => s.text);
    return { kind: 'param', path: segs[1]!.quoted ? path : resolveParamAlias(path) };
  }
  if (segs.length === 1 && (RUN_ATTRIBUTES as readonly string[]).includes(head)) return { kind: 'attribute', name: head as RunAttribute };
  const text = src.slice(t.start, t.end);
  const hint = suggestField(segs);
  return fail(t.start, hint ? `unknown field '${text}' (did you mean ${hint}?)` : `unknown field '${text}' (fields are metrics.<name>, params.<path>, ${RUN_ATTRIBUTES.join(', ')})`);
}

// ---------------------------------------------------------------------------------------------
// Field kinds: which operators and values each field takes

type FieldKind = 'metric' | 'param' | 'text' | 'status' | 'tag' | 'number' | 'created' | 'duration';

function kindOf(f: FieldRef): FieldKind {
  if (f.kind !== 'attribute') return f.kind;
  switch (f.name) {
    case 'status':
    case 'tag':
    case 'number':
    case 'created':
    case 'duration':
      return f.name;
    default:
      return 'text';
  }
}

const OPS_OF: Record<FieldKind, { ops: readonly CompareOp[]; list: boolean; what: string }> = {
  metric: { ops: ['=', '!=', '>', '>=', '<', '<='], list: true, what: 'a number' },
  number: { ops: ['=', '!=', '>', '>=', '<', '<='], list: true, what: 'a number' },
  duration: { ops: ['=', '!=', '>', '>=', '<', '<='], list: false, what: 'a number of seconds' },
  created: { ops: ['=', '!=', '>', '>=', '<', '<='], list: false, what: 'a time' },
  param: { ops: COMPARE_OPS, list: true, what: 'a parameter' },
  text: { ops: ['=', '!=', '~'], list: true, what: 'text' },
  tag: { ops: ['=', '!=', '~'], list: true, what: 'a tag' },
  status: { ops: ['=', '!='], list: true, what: 'a status' },
};

function opList(kind: FieldKind): string {
  const { ops, list } = OPS_OF[kind];
  const all: string[] = [...ops, ...(list ? ['in', 'not in'] : [])];
  return `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------
// Parser

/** Deeper nesting is no query a person writes, and would only strain the stack here and in SQL. */
const MAX_DEPTH = 64;

class Parser {
  private i = 0;
  /** Open parentheses and `not`s around the token at hand. */
  private depth = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  peek(): Token {
    return this.tokens[this.i]!;
  }
  next(): Token {
    return this.tokens[this.i++]!;
  }
  prev(): Token {
    return this.tokens[this.i - 1]!;
  }
  text(t: Token): string {
    if (t.kind === 'eof') return 'the end of the query';
    const raw = this.src.slice(t.start, t.end);
    return t.kind === 'string' ? raw : `'${raw}'`;
  }
  fail(t: Token, detail: string): never {
    throw new QuerySyntaxError(t.start, detail);
  }

  orExpr(): QueryNode {
    const children = [this.andExpr()];
    while (isKeyword(this.peek(), 'or')) {
      this.next();
      children.push(this.andExpr());
    }
    return combine('or', children);
  }

  andExpr(): QueryNode {
    const children = [this.notExpr()];
    while (isKeyword(this.peek(), 'and')) {
      this.next();
      children.push(this.notExpr());
    }
    return combine('and', children);
  }

  private nested<T>(t: Token, parse: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail(t, `the query nests too deeply (at most ${MAX_DEPTH} levels of 'not' and parentheses)`);
    const result = parse();
    this.depth--;
    return result;
  }

  notExpr(): QueryNode {
    const t = this.peek();
    if (isKeyword(t, 'not')) {
      this.next();
      return { type: 'not', child: this.nested(t, () => this.notExpr()) };
    }
    if (t.kind === '(') {
      this.next();
      const inner = this.nested(t, () => this.orExpr());
      const close = this.peek();
      if (close.kind !== ')') {
        this.fail(close, `expected ')' to close the '(' at column ${t.start + 1}, found ${this.text(close)}`);
      }
      this.next();
      return inner;
    }
    return this.condition();
  }

  /** What came before the token at hand, for "expected … after X". */
  after(): string {
    return this.i === 0 ? '' : ` after ${this.text(this.prev())}`;
  }

  field(): { field: FieldRef; token: Token } {
    const t = this.peek();
    if (t.kind !== 'word' || isKeyword(t)) {
      const found = t.kind === 'eof' ? '' : `, found ${this.text(t)}`;
      this.fail(t, `expected a field such as metrics.val_accuracy, params.lr or status${this.after()}${found}`);
    }
    this.next();
    return { field: fieldFromWord(t as Extract<Token, { kind: 'word' }>, this.src), token: t };
  }

  condition(): QueryNode {
    const { field, token } = this.field();
    const kind = kindOf(field);
    const opTok = this.peek();
    const fieldText = this.src.slice(token.start, token.end);
    if (isKeyword(opTok, 'in') || (isKeyword(opTok, 'not') && isKeyword(this.tokens[this.i + 1]!, 'in'))) {
      const negated = isKeyword(opTok, 'not');
      if (!OPS_OF[kind].list) this.fail(opTok, `'${negated ? 'not in' : 'in'}' does not apply to ${fieldText}; use ${opList(kind)}`);
      this.next();
      if (negated) this.next();
      const open = this.peek();
      if (open.kind !== '(') this.fail(open, `expected '(' after '${negated ? 'not in' : 'in'}', as in tag in ("a", "b")`);
      this.next();
      const values: QueryValue[] = [];
      for (;;) {
        values.push(this.value(kind, '=', fieldText));
        const sep = this.next();
        if (sep.kind === ')') break;
        if (sep.kind !== ',') this.fail(sep, `expected ',' or ')' in the list that starts at column ${open.start + 1}, found ${this.text(sep)}`);
      }
      return { type: 'in', field, negated, values };
    }
    if (opTok.kind !== 'op') {
      const found = opTok.kind === 'eof' ? '' : `, found ${this.text(opTok)}`;
      this.fail(opTok, `expected an operator (${opList(kind)}) after '${fieldText}'${found}`);
    }
    const op = (opTok as Extract<Token, { kind: 'op' }>).op;
    if (!OPS_OF[kind].ops.includes(op)) {
      const why = op === '~' ? ` ('~' is for text; ${fieldText} is ${OPS_OF[kind].what})` : '';
      this.fail(opTok, `'${op}' does not apply to ${fieldText}${why}; use ${opList(kind)}`);
    }
    this.next();
    return { type: 'compare', field, op, value: this.value(kind, op, fieldText) };
  }

  value(kind: FieldKind, op: CompareOp, fieldText: string): QueryValue {
    const t = this.peek();
    let v: QueryValue;
    if (t.kind === 'string') v = { type: 'string', value: t.value };
    else if (t.kind === 'number') v = { type: 'number', value: t.value };
    else if (t.kind === 'date') v = { type: 'date', value: t.value, dateOnly: t.dateOnly };
    else if (t.kind === 'span') v = { type: 'span', amount: t.amount, unit: t.unit };
    else if (isKeyword(t, 'true') || isKeyword(t, 'false')) v = { type: 'boolean', value: isKeyword(t, 'true') };
    else if (t.kind === 'word' && !isKeyword(t)) v = { type: 'string', value: t.segments.map((s) => s.text).join('.') };
    else {
      const found = t.kind === 'eof' ? '' : `, found ${this.text(t)}`;
      return this.fail(t, `expected a value${this.after()}${found}`);
    }
    this.next();
    return this.check(v, t, kind, op, fieldText);
  }

  check(v: QueryValue, t: Token, kind: FieldKind, op: CompareOp, fieldText: string): QueryValue {
    const found = this.text(t);
    switch (kind) {
      case 'metric':
      case 'number':
        if (v.type !== 'number') this.fail(t, `${fieldText} is a number; expected a number, found ${found}`);
        return v;
      case 'duration':
        if (v.type === 'span' || v.type === 'number') return v;
        return this.fail(t, `duration is in seconds; expected a number or a span such as 90s, 30m or 2h, found ${found}`);
      case 'created': {
        if (v.type === 'string') {
          const d = DATE_RE.exec(v.value.trim());
          if (!d || d[0].length !== v.value.trim().length) this.fail(t, `expected a date such as 2024-05-01 or a time ago such as 7d, found ${found}`);
          v = { type: 'date', ...parseDate(d!, t.start) };
        }
        if (v.type === 'span') {
          if (op === '=' || op === '!=') this.fail(t, `compare created with a time ago such as ${found} using >, >=, < or <= (created > 7d: in the last 7 days)`);
          return v;
        }
        if (v.type !== 'date') this.fail(t, `expected a date such as 2024-05-01 or a time ago such as 7d, found ${found}`);
        return v;
      }
      case 'status': {
        const s = v.type === 'string' ? v.value.toUpperCase() : '';
        if (!(RUN_STATUSES as readonly string[]).includes(s)) {
          const names = RUN_STATUSES.map((x) => x.toLowerCase());
          this.fail(t, `unknown status ${found} (expected ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]})`);
        }
        return { type: 'string', value: s };
      }
      case 'text':
      case 'tag':
        if (v.type !== 'string') this.fail(t, `${fieldText} is text; put the value in quotes, as in "${this.src.slice(t.start, t.end)}"`);
        return v;
      case 'param':
        if (v.type === 'date' || v.type === 'span') this.fail(t, `${fieldText} takes a number, text, true or false; put the value in quotes to compare it as text`);
        if (op === '~' && v.type !== 'string') this.fail(t, `'~' looks for text; expected a quoted string, found ${found}`);
        if (v.type === 'boolean' && op !== '=' && op !== '!=') this.fail(t, `true and false can only be compared with = or !=`);
        return v;
    }
  }

  end(): void {
    const t = this.peek();
    if (t.kind === 'eof') return;
    if (t.kind === ')') this.fail(t, "unexpected ')' without a matching '('");
    this.fail(t, `expected 'and', 'or' or the end of the query${this.after()}, found ${this.text(t)}`);
  }
}

function combine(type: 'and' | 'or', children: QueryNode[]): QueryNode {
  if (children.length === 1) return children[0]!;
  // Flattened, so `(a and b) and c` and `a and b and c` are one AST and format alike.
  return { type, children: children.flatMap((c) => (c.type === type ? c.children : [c])) };
}

/** Parses a filter; `null` for an empty one. Throws QuerySyntaxError. */
export function parseQuery(text: string): QueryNode | null {
  const tokens = lex(text);
  if (tokens.length === 1) return null;
  const p = new Parser(text, tokens);
  const node = p.orExpr();
  p.end();
  return node;
}

/** Parses one field name (`metrics.val_accuracy.max`, `params.lr`, `created`). */
export function parseField(text: string): FieldRef {
  const tokens = lex(text);
  const t = tokens[0]!;
  if (t.kind !== 'word' || isKeyword(t)) throw new QuerySyntaxError(t.start, `expected a field such as metrics.val_accuracy, params.lr or status`);
  const field = fieldFromWord(t, text);
  const extra = tokens[1]!;
  if (extra.kind !== 'eof') throw new QuerySyntaxError(extra.start, `unexpected '${text.slice(extra.start, extra.end)}' after the field`);
  return field;
}

const UNSORTABLE = 'runs cannot be sorted by tag (a run has several)';

/** A field to sort by: any field but `tag`. */
export function parseSortField(text: string): FieldRef {
  const field = parseField(text);
  if (field.kind === 'attribute' && field.name === 'tag') throw new QuerySyntaxError(text.length - text.trimStart().length, UNSORTABLE);
  return field;
}

/** Parses `metrics.val_accuracy desc, params.lr, created desc` (ascending unless `desc`). */
export function parseSortSpec(text: string): SortKey[] {
  const p = new Parser(text, lex(text));
  const keys: SortKey[] = [];
  if (p.peek().kind === 'eof') return keys;
  for (;;) {
    const { field, token } = p.field();
    if (field.kind === 'attribute' && field.name === 'tag') p.fail(token, UNSORTABLE);
    let dir: SortDirection = 'asc';
    if (isKeyword(p.peek(), 'asc') || isKeyword(p.peek(), 'desc')) dir = isKeyword(p.next(), 'desc') ? 'desc' : 'asc';
    keys.push({ field, dir });
    const t = p.peek();
    if (t.kind === 'eof') return keys;
    if (t.kind !== ',') p.fail(t, `expected ',' or the end of the sort order${p.after()}, found ${p.text(t)}`);
    p.next();
  }
}

// ---------------------------------------------------------------------------------------------
// Canonical text

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
function isPlainName(s: string): boolean {
  return PLAIN_NAME.test(s) && !KEYWORDS.has(s.toLowerCase());
}

/** A string literal in double quotes, escaped so that the lexer reads it back unchanged. */
function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (c < ' ' || c === '\u007f') out += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

/** A field as canonical text: `metrics.val_accuracy`, `metrics.loss.min`, `params.learningRate`. */
export function formatField(f: FieldRef): string {
  switch (f.kind) {
    case 'attribute':
      return f.name;
    case 'metric': {
      const name = metricName(f.key, f.context);
      // A dotted key would be read back with its parts split, and a trailing `.max` as the aggregate.
      const keyText = /^[A-Za-z0-9_-]+$/.test(name) ? name : quote(name);
      return `metrics.${keyText}${f.aggregate === 'last' ? '' : `.${f.aggregate}`}`;
    }
    case 'param': {
      const segs = f.path.map((s) => (/^[A-Za-z0-9_-]+$/.test(s) ? s : quote(s)));
      // An alias spelled out in full would be read back as the alias (params.lr → learningRate).
      if (f.path.length === 1 && own(PARAM_ALIASES, f.path[0]!)) segs[0] = quote(f.path[0]!);
      return `params.${segs.join('.')}`;
    }
  }
}

export function formatValue(v: QueryValue): string {
  switch (v.type) {
    case 'string':
      return quote(v.value);
    case 'number':
      return String(v.value);
    case 'boolean':
      return String(v.value);
    case 'date':
      return v.dateOnly ? v.value.slice(0, 10) : v.value;
    case 'span':
      return `${v.amount}${v.unit}`;
  }
}

function formatFieldValue(f: FieldRef, v: QueryValue): string {
  // Statuses read best as the bare words people type: status = failed.
  if (f.kind === 'attribute' && f.name === 'status' && v.type === 'string') return v.value.toLowerCase();
  return formatValue(v);
}

const PRECEDENCE = { or: 1, and: 2, not: 3, compare: 4, in: 4 } as const;

/** Canonical text of a query: lower-case keywords, single spaces, parentheses only where needed. */
export function formatQuery(node: QueryNode | null): string {
  if (!node) return '';
  const fmt = (n: QueryNode, min: number): string => {
    const own = PRECEDENCE[n.type];
    let s: string;
    switch (n.type) {
      case 'and':
      case 'or':
        s = n.children.map((c) => fmt(c, own + 1)).join(` ${n.type} `);
        break;
      case 'not':
        s = `not ${fmt(n.child, own)}`;
        break;
      case 'compare':
        s = `${formatField(n.field)} ${n.op} ${formatFieldValue(n.field, n.value)}`;
        break;
      case 'in':
        s = `${formatField(n.field)} ${n.negated ? 'not in' : 'in'} (${n.values.map((v) => formatFieldValue(n.field, v)).join(', ')})`;
        break;
    }
    return own < min ? `(${s})` : s;
  };
  return fmt(node, 0);
}

export function formatSortSpec(keys: SortKey[]): string {
  return keys.map((k) => `${formatField(k.field)}${k.dir === 'desc' ? ' desc' : ''}`).join(', ');
}

// ---------------------------------------------------------------------------------------------
// The search request

/** Groupable fields: these attributes, or any `params.<path>`. */
export const GROUPABLE_ATTRIBUTES = ['user', 'architecture', 'dataset', 'status', 'backend', 'device', 'paradigm'] as const;

export const ZRunSort = z.object({
  /** A field in query syntax: `metrics.val_accuracy`, `params.lr`, `created`. */
  field: z.string().min(1).max(500),
  dir: z.enum(['asc', 'desc']).default('asc'),
});

/** The runs table's request (the team comes from the caller's scope). */
export const ZRunSearchInput = z.object({
  projectId: z.string().min(1),
  query: z.string().max(10_000).optional(),
  sort: z.array(ZRunSort).max(10).optional(),
  /** 1-based. */
  page: z.int().min(1).max(1_000_000).default(1),
  pageSize: z.int().min(1).max(500).default(50),
  /** `user`, `architecture`, `dataset`, `status`, `backend`, `device`, `paradigm` or `params.<path>`. */
  groupBy: z.string().min(1).max(500).optional(),
  /**
   * Metric names (`val_accuracy`, `loss`) and param paths (`lr`, `optimizer.name`) to return for
   * each row; all non-system metrics and the whole flattened config when left out.
   */
  columns: z
    .object({
      metrics: z.array(z.string().min(1).max(500)).max(200).optional(),
      params: z.array(z.string().min(1).max(500)).max(200).optional(),
    })
    .optional(),
});
export type RunSearchInput = z.input<typeof ZRunSearchInput>;
