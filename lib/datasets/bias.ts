/**
 * The dataset bias profile: how rows and label base rates spread over the groups of each
 * sensitive attribute and over their intersection, before any model is trained. Base rate is
 * the share of positive labels (binary), the class distribution (multiclass) or the mean label
 * (regression). The gap of a table is max − min base rate over its non-empty groups, and the
 * ratio min / max (the "80 % rule" reads it); the largest gap over all tables is flagged.
 *
 * One streaming pass: only per-cell counters of the full intersection are kept, and each
 * table (one per attribute) is summed from them, so every number is exact.
 */
import { DatasetError } from './errors';
import { parseNumber } from './infer-types';
import { sortClasses, type Task } from './schema';
import { MISSING_GROUP, columnIndex, type DataRow } from './table';

/** A sensitive column; numeric columns may be cut into ranges at `edges` (e.g. from quantileEdges). */
export interface BiasAttribute {
  column: string;
  edges?: number[];
}

export interface BiasOptions {
  label: string;
  task: Task;
  sensitive: readonly (string | BiasAttribute)[];
  /** Groups with fewer labelled rows are listed but left out of gaps (default 1: only empty groups). */
  minGroupSize?: number;
}

export interface BiasGroup {
  /** One value per column of the table (group names for binned numeric columns, MISSING_GROUP for missing). */
  values: string[];
  /** The values joined with ' × '. */
  name: string;
  count: number;
  /** count / all rows. */
  share: number;
  /** Rows whose label is present. */
  labelled: number;
  /** Binary: share of positive labels; regression: mean label; multiclass and empty groups: null. */
  baseRate: number | null;
  /** Multiclass: share of each class (in task.classes order) among labelled rows; null for empty groups. */
  distribution?: number[] | null;
  /** False for groups too small (minGroupSize) or empty: they take no part in the gap. */
  inGap: boolean;
}

export interface BiasGap {
  /** max − min base rate (for multiclass: of the class whose share differs most). */
  difference: number;
  /** min / max base rate; null when not meaningful (a negative mean, or max = 0 with min < 0). */
  ratio: number | null;
  highest: { group: string; rate: number };
  lowest: { group: string; rate: number };
  /** Multiclass: the class the gap refers to. */
  class?: string;
}

export interface BiasTable {
  columns: string[];
  groups: BiasGroup[];
  /** Null when fewer than two groups take part. */
  gap: BiasGap | null;
}

export interface BiasProfile {
  label: string;
  task: Task;
  rowCount: number;
  labelled: number;
  /** Over all labelled rows: share positive (binary) or mean (regression); null for multiclass. */
  overallRate: number | null;
  overallDistribution?: number[];
  /** One table per sensitive attribute, then (with two or more) their full intersection. */
  tables: BiasTable[];
  /** The table with the largest gap difference (a tie goes to the earlier table: single attributes first). */
  largestGap: { columns: string[]; gap: BiasGap } | null;
}

/** More groups than this in one attribute means it is not a grouping (an id, a raw number): bin it. */
export const MAX_GROUPS_PER_ATTRIBUTE = 100;
/** The intersection keeps at most this many non-empty cells. */
export const MAX_INTERSECTION_CELLS = 10_000;

interface Cell {
  values: string[];
  count: number;
  labelled: number;
  /** Binary: positives; regression: sum of labels. */
  sum: number;
  /** Multiclass: per-class counts. */
  classCounts: number[] | null;
}

export interface BiasAccumulator {
  /** Adds one row; `where` names it in errors ("line 17"). */
  add(row: DataRow, where?: string): void;
  finish(): BiasProfile;
}

/** A streaming bias profile over rows with the given columns. */
export function createBiasAccumulator(columns: readonly string[], options: BiasOptions): BiasAccumulator {
  const attributes = options.sensitive.map((a) => (typeof a === 'string' ? { column: a } : a));
  if (attributes.length === 0) throw new DatasetError('choose at least one sensitive column');
  const labelAt = columnIndex(columns, options.label);
  const at = attributes.map((a) => columnIndex(columns, a.column));
  attributes.forEach((a) => {
    if (a.column === options.label) throw new DatasetError(`column '${a.column}' is the label; it cannot also be a sensitive attribute`);
  });
  if (new Set(attributes.map((a) => a.column)).size !== attributes.length) throw new DatasetError('a sensitive column is listed twice');
  const groupOf = attributes.map((a) => groupFunction(a));
  const seen = attributes.map(() => new Set<string>());
  const cells = new Map<string, Cell>();
  const task = options.task;
  const classIndex = task.kind === 'multiclass' ? new Map(task.classes.map((c, i) => [c, i])) : null;
  let rows = 0;

  return {
    add(row, where = `row ${rows + 1}`) {
      rows++;
      const values = at.map((j, k) => groupOf[k]!(row[j] ?? null, where));
      values.forEach((v, k) => {
        const set = seen[k]!;
        if (!set.has(v)) {
          set.add(v);
          if (set.size > MAX_GROUPS_PER_ATTRIBUTE) {
            throw new DatasetError(`sensitive column '${attributes[k]!.column}' has more than ${MAX_GROUPS_PER_ATTRIBUTE} distinct values; group it into ranges or categories first`);
          }
        }
      });
      const key = values.join('\u241f');
      let cell = cells.get(key);
      if (!cell) {
        if (cells.size >= MAX_INTERSECTION_CELLS) throw new DatasetError(`the sensitive columns intersect in more than ${MAX_INTERSECTION_CELLS} groups`);
        cell = { values, count: 0, labelled: 0, sum: 0, classCounts: classIndex ? new Array<number>(classIndex.size).fill(0) : null };
        cells.set(key, cell);
      }
      cell.count++;
      const label = row[labelAt] ?? null;
      if (label === null) return;
      cell.labelled++;
      if (task.kind === 'binary') {
        if (label === task.positiveClass) cell.sum++;
        else if (label !== task.negativeClass) {
          throw new DatasetError(`${where}: label '${label}' is neither '${task.positiveClass}' nor '${task.negativeClass}'`);
        }
      } else if (task.kind === 'multiclass') {
        const c = classIndex!.get(label);
        if (c === undefined) throw new DatasetError(`${where}: label '${label}' is not one of the ${classIndex!.size} classes`);
        cell.classCounts![c]!++;
      } else {
        const value = parseNumber(label);
        if (value === null) throw new DatasetError(`${where}: label '${label}' is not a number`);
        cell.sum += value;
      }
    },
    finish() {
      const all = [...cells.values()];
      const ordered = seen.map((set, k) => orderGroups([...set], attributes[k]!));
      const tables = attributes.map((_, k) => table(all, [k], ordered, attributes, rows, task, options.minGroupSize ?? 1));
      if (attributes.length > 1)
        tables.push(
          table(
            all,
            attributes.map((_, k) => k),
            ordered,
            attributes,
            rows,
            task,
            options.minGroupSize ?? 1,
          ),
        );
      const overall = merge(all, task);
      let largestGap: BiasProfile['largestGap'] = null;
      for (const t of tables) {
        if (t.gap && (!largestGap || t.gap.difference > largestGap.gap.difference)) largestGap = { columns: t.columns, gap: t.gap };
      }
      return {
        label: options.label,
        task,
        rowCount: rows,
        labelled: overall.labelled,
        overallRate: task.kind === 'multiclass' ? null : overall.labelled ? rate(overall) : null,
        ...(task.kind === 'multiclass' ? { overallDistribution: distribution(overall) ?? [] } : {}),
        tables,
        largestGap,
      };
    },
  };
}

/** The bias profile of rows in memory (see createBiasAccumulator for streams). */
export function computeBiasProfile(columns: readonly string[], rows: Iterable<DataRow>, options: BiasOptions, lines?: readonly number[]): BiasProfile {
  const acc = createBiasAccumulator(columns, options);
  let i = 0;
  for (const row of rows) {
    const line = lines?.[i];
    acc.add(row, line !== undefined ? `line ${line}` : `row ${i + 1}`);
    i++;
  }
  return acc.finish();
}

/** Maps a cell to its group: the value itself, its range for binned numeric columns, or MISSING_GROUP. */
function groupFunction(attribute: BiasAttribute): (cell: string | null, where: string) => string {
  const edges = attribute.edges ? [...attribute.edges].sort((a, b) => a - b) : null;
  if (!edges || edges.length === 0) return (cell) => cell ?? MISSING_GROUP;
  const names = rangeNames(edges);
  return (cell, where) => {
    if (cell === null) return MISSING_GROUP;
    const v = parseNumber(cell);
    if (v === null) throw new DatasetError(`${where}: '${cell}' in sensitive column '${attribute.column}' is not a number`);
    let bin = 0;
    while (bin < edges.length && v >= edges[bin]!) bin++;
    return names[bin]!;
  };
}

/** '< 28', '28–37', …, '≥ 48' for cut points [28, 37, 48]. */
export function rangeNames(edges: readonly number[]): string[] {
  const fmt = (x: number) => String(Number(x.toPrecision(6)));
  return [`< ${fmt(edges[0]!)}`, ...edges.slice(1).map((e, i) => `${fmt(edges[i]!)}–${fmt(e)}`), `≥ ${fmt(edges[edges.length - 1]!)}`];
}

function orderGroups(values: string[], attribute: BiasAttribute): string[] {
  const present = values.filter((v) => v !== MISSING_GROUP);
  const sorted = attribute.edges?.length ? rangeNames([...attribute.edges].sort((a, b) => a - b)).filter((n) => present.includes(n)) : sortClasses(present);
  return values.includes(MISSING_GROUP) ? [...sorted, MISSING_GROUP] : sorted;
}

function table(cells: readonly Cell[], dims: number[], ordered: string[][], attributes: BiasAttribute[], rows: number, task: Task, minGroupSize: number): BiasTable {
  // Every combination of observed values, so empty intersections show up with count 0.
  let combos: string[][] = [[]];
  for (const k of dims) combos = combos.flatMap((prefix) => ordered[k]!.map((v) => [...prefix, v]));
  const byKey = new Map<string, Cell[]>();
  for (const cell of cells) {
    const key = dims.map((k) => cell.values[k]).join('\u241f');
    const list = byKey.get(key);
    if (list) list.push(cell);
    else byKey.set(key, [cell]);
  }
  const groups = combos.map((values): BiasGroup => {
    const merged = merge(byKey.get(values.join('\u241f')) ?? [], task);
    const group: BiasGroup = {
      values,
      name: values.join(' × '),
      count: merged.count,
      share: rows ? merged.count / rows : 0,
      labelled: merged.labelled,
      baseRate: task.kind === 'multiclass' || merged.labelled === 0 ? null : rate(merged),
      inGap: merged.labelled > 0 && merged.labelled >= minGroupSize,
    };
    if (task.kind === 'multiclass') group.distribution = distribution(merged);
    return group;
  });
  return { columns: dims.map((k) => attributes[k]!.column), groups, gap: gapOf(groups, task) };
}

function merge(cells: readonly Cell[], task: Task): Cell {
  const out: Cell = { values: [], count: 0, labelled: 0, sum: 0, classCounts: task.kind === 'multiclass' ? new Array<number>(task.classes.length).fill(0) : null };
  for (const c of cells) {
    out.count += c.count;
    out.labelled += c.labelled;
    out.sum += c.sum;
    c.classCounts?.forEach((n, i) => (out.classCounts![i]! += n));
  }
  return out;
}

/** Share positive (binary: sum counts positives) or mean label (regression). */
function rate(cell: Cell): number {
  return cell.sum / cell.labelled;
}

function distribution(cell: Cell): number[] | null {
  if (!cell.classCounts || cell.labelled === 0) return null;
  return cell.classCounts.map((n) => n / cell.labelled);
}

function gapOf(groups: readonly BiasGroup[], task: Task): BiasGap | null {
  const eligible = groups.filter((g) => g.inGap);
  if (eligible.length < 2) return null;
  if (task.kind !== 'multiclass') return spread(eligible.map((g) => ({ group: g.name, rate: g.baseRate! })));
  let best: BiasGap | null = null;
  for (const [c, cls] of task.classes.entries()) {
    const gap = spread(eligible.map((g) => ({ group: g.name, rate: g.distribution![c]! })));
    if (!best || gap.difference > best.difference) best = { ...gap, class: cls };
  }
  return best;
}

/** Highest and lowest rates (the first group wins ties), their difference and ratio. */
function spread(rates: { group: string; rate: number }[]): BiasGap {
  let highest = rates[0]!;
  let lowest = rates[0]!;
  for (const r of rates) {
    if (r.rate > highest.rate) highest = r;
    if (r.rate < lowest.rate) lowest = r;
  }
  let ratio: number | null;
  if (lowest.rate < 0) ratio = null;
  else if (highest.rate === 0) ratio = 1;
  else ratio = lowest.rate / highest.rate;
  return { difference: highest.rate - lowest.rate, ratio, highest, lowest };
}
