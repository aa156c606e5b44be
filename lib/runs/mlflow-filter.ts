/**
 * MLflow's run search syntax (the subset MLflow's own SQL store accepts): clauses joined by AND,
 * each `<entity>.<key> <comparator> <value>`:
 *
 *   metrics.acc > 0.9 AND params.lr = '0.01' AND tags.`a b` = 'x' AND attributes.status = 'FINISHED'
 *
 * Entities: metrics (numbers: = != > >= < <=), params and tags (strings: = != LIKE ILIKE IN NOT IN),
 * attributes (status, run_name, run_id, user_id, artifact_uri: strings; start_time, end_time:
 * numbers in ms). Keys may be quoted with backticks or double quotes; string values with single or
 * double quotes. order_by entries: `<entity>.<key> [ASC|DESC]`.
 */
import { InvalidInputError } from '../errors';

export class MlflowFilterError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'MlflowFilterError';
  }
}

export type Entity = 'metric' | 'param' | 'tag' | 'attribute';
export type Comparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';
export interface Clause {
  entity: Entity;
  key: string;
  comparator: Comparator;
  value: string | number | string[];
}
export interface OrderBy {
  entity: Entity;
  key: string;
  ascending: boolean;
}

/** What a clause is evaluated against: a run as MLflow sees it. */
export interface FilterableRun {
  attributes: { status: string; run_name: string; run_id: string; user_id: string; artifact_uri: string; start_time: number | null; end_time: number | null };
  metrics: Map<string, number>;
  params: Map<string, string>;
  tags: Map<string, string>;
}

const ENTITY: Record<string, Entity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
};
const STRING_ATTRIBUTES = ['status', 'run_name', 'run_id', 'user_id', 'artifact_uri', 'lifecycle_stage'];
const NUMERIC_ATTRIBUTES = ['start_time', 'end_time', 'created'];
const ATTRIBUTE_ALIAS: Record<string, string> = { run_name: 'run_name', runName: 'run_name', created: 'start_time', Created: 'start_time' };

type Token = { type: 'word' | 'quotedKey' | 'string' | 'number' | 'op' | 'punct'; text: string; pos: number };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '`' || c === '"' || c === "'") {
      const end = input.indexOf(c, i + 1);
      if (end < 0) throw new MlflowFilterError(`unterminated ${c === '`' ? 'backtick' : 'quoted'} text starting at position ${start}`);
      const text = input.slice(i + 1, end);
      // A quoted word straight after `entity.` is a key; elsewhere quotes make a string value.
      const prev = tokens.at(-1);
      const isKey = c === '`' || (prev?.type === 'word' && prev.text.endsWith('.') && prev.pos + prev.text.length === start);
      tokens.push({ type: isKey ? 'quotedKey' : 'string', text, pos: start });
      i = end + 1;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '>=' || two === '<=' || two === '!=' || two === '<>') {
      tokens.push({ type: 'op', text: two === '<>' ? '!=' : two, pos: start });
      i += 2;
      continue;
    }
    if (c === '=' || c === '>' || c === '<') {
      tokens.push({ type: 'op', text: c === '=' && input[i + 1] === '=' ? '=' : c, pos: start });
      i += c === '=' && input[i + 1] === '=' ? 2 : 1;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: 'punct', text: c, pos: start });
      i++;
      continue;
    }
    const num = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?/.exec(input.slice(i));
    if (num && (c === '-' || /[\d.]/.test(c))) {
      tokens.push({ type: 'number', text: num[0], pos: start });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.\-/:]*/.exec(input.slice(i));
    if (word) {
      tokens.push({ type: 'word', text: word[0], pos: start });
      i += word[0].length;
      continue;
    }
    throw new MlflowFilterError(`unexpected character '${c}' at position ${start}`);
  }
  return tokens;
}

/** `metrics.acc`, `tags.\`a b\``, `attributes.status` from the token stream. */
function readIdentifier(tokens: Token[], at: number): { entity: Entity; key: string; next: number } {
  const t = tokens[at];
  if (!t || t.type !== 'word') throw new MlflowFilterError(`expected an identifier such as metrics.acc or params.lr${t ? ` at position ${t.pos}, got '${t.text}'` : ' at the end'}`);
  const dot = t.text.indexOf('.');
  if (dot < 0) throw new MlflowFilterError(`'${t.text}' needs an entity prefix: metrics., params., tags. or attributes.`);
  const prefix = t.text.slice(0, dot);
  const entity = ENTITY[prefix.toLowerCase()];
  if (!entity) throw new MlflowFilterError(`unknown entity '${prefix}'; use metrics., params., tags. or attributes.`);
  let key = t.text.slice(dot + 1);
  let next = at + 1;
  if (!key) {
    const q = tokens[next];
    if (!q || q.type !== 'quotedKey') throw new MlflowFilterError(`expected a key after '${t.text}'`);
    key = q.text;
    next++;
  }
  if (!key) throw new MlflowFilterError(`empty key after '${prefix}.'`);
  if (entity === 'attribute') {
    key = ATTRIBUTE_ALIAS[key] ?? key;
    if (!STRING_ATTRIBUTES.includes(key) && !NUMERIC_ATTRIBUTES.includes(key)) {
      throw new MlflowFilterError(`unknown attribute '${key}'; one of ${[...STRING_ATTRIBUTES, 'start_time', 'end_time'].join(', ')}`);
    }
  }
  return { entity, key, next };
}

function isNumericField(entity: Entity, key: string) {
  return entity === 'metric' || (entity === 'attribute' && NUMERIC_ATTRIBUTES.includes(key));
}

export function parseMlflowFilter(filter: string | undefined | null): Clause[] {
  if (!filter || !filter.trim()) return [];
  const tokens = tokenize(filter);
  const clauses: Clause[] = [];
  let i = 0;
  for (;;) {
    const { entity, key, next } = readIdentifier(tokens, i);
    i = next;
    const t = tokens[i];
    if (!t) throw new MlflowFilterError(`expected a comparator after ${entity}s.${key}`);
    let comparator: Comparator;
    if (t.type === 'op') comparator = t.text as Comparator;
    else if (t.type === 'word' && ['LIKE', 'ILIKE', 'IN'].includes(t.text.toUpperCase())) comparator = t.text.toUpperCase() as Comparator;
    else if (t.type === 'word' && t.text.toUpperCase() === 'NOT' && tokens[i + 1]?.text.toUpperCase() === 'IN') {
      comparator = 'NOT IN';
      i++;
    } else throw new MlflowFilterError(`expected a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN) at position ${t.pos}, got '${t.text}'`);
    i++;
    const numeric = isNumericField(entity, key);
    if (numeric && !['=', '!=', '>', '>=', '<', '<='].includes(comparator)) {
      throw new MlflowFilterError(`${comparator} is not supported for ${entity === 'metric' ? `metrics.${key}` : key}: compare numbers with =, !=, >, >=, <, <=`);
    }
    if (!numeric && ['>', '>=', '<', '<='].includes(comparator)) {
      throw new MlflowFilterError(`${comparator} is not supported for ${entity}s.${key}: strings compare with =, !=, LIKE, ILIKE, IN, NOT IN`);
    }
    let value: Clause['value'];
    if (comparator === 'IN' || comparator === 'NOT IN') {
      if (tokens[i]?.text !== '(') throw new MlflowFilterError(`expected '(' after ${comparator}`);
      i++;
      const list: string[] = [];
      for (;;) {
        const v = tokens[i];
        if (!v || v.type !== 'string') throw new MlflowFilterError(`expected a quoted string in the ${comparator} list${v ? ` at position ${v.pos}` : ''}`);
        list.push(v.text);
        i++;
        if (tokens[i]?.text === ',') i++;
        else if (tokens[i]?.text === ')') {
          i++;
          break;
        } else throw new MlflowFilterError(`expected ',' or ')' in the ${comparator} list`);
      }
      value = list;
    } else {
      const v = tokens[i];
      if (!v) throw new MlflowFilterError(`expected a value after ${comparator}`);
      if (numeric) {
        if (v.type !== 'number') throw new MlflowFilterError(`expected a number after ${entity === 'metric' ? `metrics.${key}` : key} ${comparator}, got '${v.text}'`);
        value = Number(v.text);
      } else {
        if (v.type !== 'string') throw new MlflowFilterError(`expected a quoted string after ${entity}s.${key} ${comparator}, got '${v.text}' (put it in quotes)`);
        value = v.text;
      }
      i++;
    }
    clauses.push({ entity, key, comparator, value });
    const conj = tokens[i];
    if (!conj) break;
    if (conj.type === 'word' && conj.text.toUpperCase() === 'AND') {
      i++;
      continue;
    }
    if (conj.type === 'word' && conj.text.toUpperCase() === 'OR') throw new MlflowFilterError("OR is not supported; MLflow's search syntax joins clauses with AND only");
    throw new MlflowFilterError(`expected AND at position ${conj.pos}, got '${conj.text}'`);
  }
  return clauses;
}

export function parseMlflowOrderBy(orderBy: string[] | undefined | null): OrderBy[] {
  return (orderBy ?? []).map((entry) => {
    const m = /^(.*?)(?:\s+(ASC|DESC))?\s*$/i.exec(entry.trim())!;
    const tokens = tokenize(m[1]!);
    if (tokens.length === 1 && tokens[0]!.type === 'word' && !tokens[0]!.text.includes('.')) tokens[0] = { ...tokens[0]!, text: `attributes.${tokens[0]!.text}` };
    const { entity, key, next } = readIdentifier(tokens, 0);
    if (next !== tokens.length) throw new MlflowFilterError(`invalid order_by clause '${entry}': expected '<entity>.<key> [ASC|DESC]'`);
    return { entity, key, ascending: (m[2] ?? 'ASC').toUpperCase() === 'ASC' };
  });
}

function fieldValue(run: FilterableRun, entity: Entity, key: string): string | number | null {
  switch (entity) {
    case 'metric':
      return run.metrics.get(key) ?? null;
    case 'param':
      return run.params.get(key) ?? null;
    case 'tag':
      return run.tags.get(key) ?? null;
    case 'attribute':
      return (run.attributes as unknown as Record<string, string | number | null>)[key] ?? null;
  }
}

/** SQL LIKE: % any run, _ one character; ILIKE ignores case. */
function like(value: string, pattern: string, ignoreCase: boolean): boolean {
  const re = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's').test(value);
}

export function matchesClause(run: FilterableRun, c: Clause): boolean {
  const v = fieldValue(run, c.entity, c.key);
  if (v === null || (typeof v === 'number' && Number.isNaN(v))) return false;
  switch (c.comparator) {
    case '=':
      return v === c.value;
    case '!=':
      return v !== c.value;
    case '>':
      return (v as number) > (c.value as number);
    case '>=':
      return (v as number) >= (c.value as number);
    case '<':
      return (v as number) < (c.value as number);
    case '<=':
      return (v as number) <= (c.value as number);
    case 'LIKE':
      return like(String(v), c.value as string, false);
    case 'ILIKE':
      return like(String(v), c.value as string, true);
    case 'IN':
      return (c.value as string[]).includes(String(v));
    case 'NOT IN':
      return !(c.value as string[]).includes(String(v));
  }
}

export const matchesFilter = (run: FilterableRun, clauses: Clause[]) => clauses.every((c) => matchesClause(run, c));

/** MLflow's ordering: the given keys (missing values last), then start_time DESC, then run_id. */
export function compareForOrder(orders: OrderBy[]): (a: FilterableRun, b: FilterableRun) => number {
  const all: OrderBy[] = [...orders, { entity: 'attribute', key: 'start_time', ascending: false }, { entity: 'attribute', key: 'run_id', ascending: true }];
  return (a, b) => {
    for (const o of all) {
      const x = fieldValue(a, o.entity, o.key);
      const y = fieldValue(b, o.entity, o.key);
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      if (d !== 0 && !Number.isNaN(d)) return o.ascending ? d : -d;
    }
    return 0;
  };
}
