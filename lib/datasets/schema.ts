/**
 * The dataset schema: column types, column roles and the learning task. The upload form, the
 * datasets router, the stored DatasetVersion.schema and the worker all parse with these.
 */
import { InvalidInputError } from '../errors';
import { z } from 'zod';
import { DatasetError } from './errors';

export const COLUMN_TYPES = ['numeric', 'categorical', 'boolean', 'text', 'datetime'] as const;
export const ZColumnType = z.enum(COLUMN_TYPES);
export type ColumnType = z.infer<typeof ZColumnType>;

/**
 * feature: a model input. label: the target (one per supervised dataset). sensitive: a
 * protected attribute that groups the bias and fairness reports. ignored: kept in the file,
 * unused. id: identifies a row (never an input, kept to trace predictions back to rows).
 */
export const COLUMN_ROLES = ['feature', 'label', 'sensitive', 'ignored', 'id'] as const;
export const ZColumnRole = z.enum(COLUMN_ROLES);
export type ColumnRole = z.infer<typeof ZColumnRole>;

export const ZDatasetColumn = z.object({
  name: z.string().min(1, 'A column needs a name').max(200),
  /** The inferred type. */
  type: ZColumnType,
  /** The user's correction of the inferred type, when they made one. */
  typeOverride: ZColumnType.optional(),
  role: ZColumnRole,
  /**
   * Sensitive columns only: also feed the attribute to the model. Fairlearn allows sensitive
   * features as inputs; we default to leaving them out, because using the attribute directly
   * invites disparate treatment and the bias report still measures what proxies leak. A
   * column has one role, so the label can never be sensitive as well.
   */
  useAsFeature: z.boolean().default(false),
});
export type DatasetColumn = z.infer<typeof ZDatasetColumn>;

/** The type the column is used as: the user's override, else the inferred type. */
export function effectiveType(column: Pick<DatasetColumn, 'type' | 'typeOverride'>): ColumnType {
  return column.typeOverride ?? column.type;
}

/** Columns the model reads: features, and sensitive columns opted in with useAsFeature. */
export function modelInputColumns<C extends Pick<DatasetColumn, 'role' | 'useAsFeature'>>(columns: readonly C[]): C[] {
  return columns.filter((c) => c.role === 'feature' || (c.role === 'sensitive' && c.useAsFeature));
}

/**
 * The starting columns for a profiled file: each column's suggested role, except the label and
 * sensitive columns the user named. Unknown names are a DatasetError listing the real ones.
 */
export function columnsFromProfile(profile: readonly { name: string; type: ColumnType; suggestedRole: ColumnRole }[], choice: { label?: string; sensitive?: readonly string[] } = {}): DatasetColumn[] {
  const names = profile.map((c) => c.name);
  for (const name of [...(choice.label === undefined ? [] : [choice.label]), ...(choice.sensitive ?? [])]) {
    if (!names.includes(name)) throw new DatasetError(`unknown column '${name}'; the columns are: ${names.join(', ')}`);
  }
  return profile.map((c) => ({
    name: c.name,
    type: c.type,
    role: c.name === choice.label ? 'label' : choice.sensitive?.includes(c.name) ? 'sensitive' : c.suggestedRole,
    useAsFeature: false,
  }));
}

const LABEL_TYPES: readonly ColumnType[] = ['numeric', 'categorical', 'boolean'];
const GROUP_TYPES: readonly ColumnType[] = ['numeric', 'categorical', 'boolean'];

/** Column names, types and roles of any dataset: unique names, at most one label. */
export const ZDatasetColumns = z
  .array(ZDatasetColumn)
  .min(1, 'A dataset needs at least one column')
  .superRefine((columns, ctx) => {
    const seen = new Set<string>();
    columns.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `column '${c.name}' appears twice` });
      seen.add(c.name);
      const type = effectiveType(c);
      if (c.useAsFeature && c.role !== 'sensitive') {
        ctx.addIssue({ code: 'custom', path: [i, 'useAsFeature'], message: `column '${c.name}': only sensitive columns take useAsFeature` });
      }
      if (c.role === 'label' && !LABEL_TYPES.includes(type)) {
        ctx.addIssue({ code: 'custom', path: [i, 'role'], message: `column '${c.name}' is ${type}; a label must be numeric, categorical or boolean` });
      }
      if (c.role === 'sensitive' && !GROUP_TYPES.includes(type)) {
        ctx.addIssue({ code: 'custom', path: [i, 'role'], message: `column '${c.name}' is ${type}; a sensitive attribute must be categorical, boolean or numeric` });
      }
    });
    const labels = columns.filter((c) => c.role === 'label');
    if (labels.length > 1) {
      ctx.addIssue({ code: 'custom', path: [], message: `only one label column is allowed, got ${labels.map((c) => `'${c.name}'`).join(', ')}` });
    }
  });

/** Columns of a supervised dataset: exactly one label and at least one model input. */
export const ZSupervisedColumns = ZDatasetColumns.superRefine((columns, ctx) => {
  if (!columns.some((c) => c.role === 'label')) ctx.addIssue({ code: 'custom', path: [], message: 'choose the label column' });
  if (modelInputColumns(columns).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'choose at least one feature column' });
});

// ---------------------------------------------------------------------------------------------
// The task

export const TASK_KINDS = ['binary', 'multiclass', 'regression'] as const;
export const ZTaskKind = z.enum(TASK_KINDS);
export type TaskKind = z.infer<typeof ZTaskKind>;

/** At most this many classes: more is almost always a regression target or an id column. */
export const MAX_CLASSES = 100;

export const ZTask = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('binary'), positiveClass: z.string(), negativeClass: z.string() }),
  z.object({ kind: z.literal('multiclass'), classes: z.array(z.string()).min(3).max(MAX_CLASSES) }),
  z.object({ kind: z.literal('regression') }),
]);
export type Task = z.infer<typeof ZTask>;

/** What the user may pin instead of the inferred task. */
export const ZTaskOverride = z.object({ kind: ZTaskKind.optional(), positiveClass: z.string().optional() });
export type TaskOverride = z.infer<typeof ZTaskOverride>;

export interface ValueCount {
  value: string;
  count: number;
}

/** What task inference needs to know about the label column (see labelSummary in stats.ts). */
export interface LabelSummary {
  column: string;
  type: ColumnType;
  /** Every distinct non-missing value with its count, or null when there are more than MAX_CLASSES. */
  values: ValueCount[] | null;
  distinct: number;
  /** Numeric labels: every value is an integer. */
  integer: boolean;
}

/** Numeric labels with at most this many distinct integer values are classes, not a quantity. */
export const MULTICLASS_MAX_INTEGER_VALUES = 10;

export class TaskError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'TaskError';
  }
}

/**
 * The task a label implies, unless overridden:
 * - boolean, or exactly two distinct values → binary;
 * - categorical with 3..MAX_CLASSES values → multiclass;
 * - numeric: integers with 3..MULTICLASS_MAX_INTEGER_VALUES distinct values → multiclass,
 *   anything else → regression.
 * Classes are ordered by value (numbers numerically), so class ids are stable across versions.
 * Throws TaskError when the label cannot support the task (a single value, free text …).
 */
export function inferTask(label: LabelSummary, override: TaskOverride = {}): { task: Task; reason: string } {
  const name = `label '${label.column}'`;
  if (label.type === 'text' || label.type === 'datetime') {
    throw new TaskError(`${name} is ${label.type}; a label must be numeric, categorical or boolean`);
  }
  if (label.distinct === 0) throw new TaskError(`${name} has no values`);
  const kind = override.kind ?? defaultKind(label);
  if (kind === 'regression') {
    if (label.type !== 'numeric' && !(label.type === 'boolean' && label.values?.every((v) => v.value === '0' || v.value === '1'))) {
      throw new TaskError(`${name} is ${label.type}; regression needs a numeric label`);
    }
    return { task: { kind: 'regression' }, reason: `${name} is numeric with ${label.distinct} distinct values` };
  }
  const values = label.values;
  if (!values) throw new TaskError(`${name} has more than ${MAX_CLASSES} distinct values; too many classes for classification`);
  const classes = sortClasses(values.map((v) => v.value));
  if (classes.length < 2) throw new TaskError(`${name} has a single value ('${classes[0]}'); there is nothing to predict`);
  if (kind === 'binary') {
    if (classes.length > 2) {
      throw new TaskError(`${name} has ${classes.length} classes (${preview(classes)}); binary needs exactly two`);
    }
    let positive: { value: string; reason: string };
    if (override.positiveClass !== undefined) {
      if (!classes.includes(override.positiveClass)) {
        throw new TaskError(`positive class '${override.positiveClass}' is not a value of ${name} (${preview(classes)})`);
      }
      positive = { value: override.positiveClass, reason: 'chosen by you' };
    } else {
      positive = choosePositiveClass(values);
    }
    const negative = classes.find((c) => c !== positive.value)!;
    return { task: { kind: 'binary', positiveClass: positive.value, negativeClass: negative }, reason: `positive class '${positive.value}': ${positive.reason}` };
  }
  if (classes.length === 2) throw new TaskError(`${name} has two classes; use a binary task`);
  if (override.positiveClass !== undefined) throw new TaskError('a positive class only applies to binary tasks');
  return { task: { kind: 'multiclass', classes }, reason: `${name} has ${classes.length} classes` };
}

function defaultKind(label: LabelSummary): TaskKind {
  if (label.type === 'boolean' || label.distinct === 2) return 'binary';
  if (label.type === 'numeric') {
    return label.integer && label.distinct <= MULTICLASS_MAX_INTEGER_VALUES ? 'multiclass' : 'regression';
  }
  return 'multiclass';
}

// Numbers are left to rule 3, so 1 / 2 labels are not read as "yes" / something.
const POSITIVE_WORDS = new Set(['true', 'yes', 'y', 't', 'positive', 'pos']);
const NEGATIVE_WORDS = new Set(['false', 'no', 'n', 'f', 'negative', 'neg']);

/**
 * The positive class of a two-valued label, by the first rule that decides:
 * 1. a value that reads as "yes" (true, yes, y, t, positive) against one that does not, or
 *    the value facing one that reads as "no";
 * 2. a threshold label: '>50K' over '<=50K' (the value starting with '>');
 * 3. two numbers: the larger (1 over 0; 2 over 1, as in German credit's 1 = good / 2 = bad);
 * 4. the rarer class (what classifiers are usually asked to detect); a tie → the later value.
 * The choice never changes accuracy-style metrics, only which class "positive" rates refer
 * to; the dataset page shows the reason and lets the user pick the other value.
 */
export function choosePositiveClass(values: readonly ValueCount[]): { value: string; reason: string } {
  if (values.length !== 2) throw new TaskError(`a binary label needs two values, got ${values.length}`);
  const [a, b] = values as [ValueCount, ValueCount];
  const yes = (v: ValueCount) => POSITIVE_WORDS.has(v.value.toLowerCase());
  const no = (v: ValueCount) => NEGATIVE_WORDS.has(v.value.toLowerCase());
  if (yes(a) !== yes(b)) return { value: yes(a) ? a.value : b.value, reason: 'it reads as yes/true' };
  if (no(a) !== no(b)) return { value: no(a) ? b.value : a.value, reason: 'the other value reads as no/false' };
  const above = (v: ValueCount) => v.value.startsWith('>');
  if (above(a) !== above(b)) return { value: above(a) ? a.value : b.value, reason: "it is the '>' side of the threshold" };
  const na = Number(a.value);
  const nb = Number(b.value);
  if (a.value !== '' && b.value !== '' && Number.isFinite(na) && Number.isFinite(nb)) {
    return { value: na > nb ? a.value : b.value, reason: 'it is the larger number' };
  }
  if (a.count !== b.count) return { value: a.count < b.count ? a.value : b.value, reason: 'it is the rarer class' };
  const later = sortClasses([a.value, b.value])[1]!;
  return { value: later, reason: 'both classes are equally common; it sorts last' };
}

/** Numbers in numeric order, then strings in code-point order: stable class ids. */
export function sortClasses(values: readonly string[]): string[] {
  const numeric = values.every((v) => v !== '' && Number.isFinite(Number(v)));
  return [...values].sort(numeric ? (x, y) => Number(x) - Number(y) || (x < y ? -1 : 1) : (x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

function preview(values: readonly string[]): string {
  const shown = values.slice(0, 5).map((v) => `'${v}'`);
  return values.length > 5 ? `${shown.join(', ')}, …` : shown.join(', ');
}
