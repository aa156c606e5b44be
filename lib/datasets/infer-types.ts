/**
 * Cell parsers and the rules that turn per-column evidence (how many cells parse as numbers,
 * booleans, dates; how many distinct values; how long the strings are) into a column type and a
 * suggested role. The streaming accumulator in stats.ts gathers the evidence; this file decides.
 */
import type { ColumnRole, ColumnType } from './schema';

// Plain decimal numbers with an optional exponent. Thousands separators ("1,234"), currency
// and percent signs are not numbers here: guessing their meaning would silently change values.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// "007" or "02134" look numeric but are codes (zip codes, ids): parsing them would drop zeros.
const LEADING_ZERO = /^[+-]?0\d/;

/** The number a cell holds, or null when it is not a plain decimal number. */
export function parseNumber(cell: string): number | null {
  if (!NUMBER.test(cell)) return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

/** True for numeric-looking codes with leading zeros ("007"), which stay strings. */
export function hasLeadingZero(cell: string): boolean {
  return LEADING_ZERO.test(cell);
}

const TRUE_TOKENS = new Set(['true', 'yes', 't', 'y']);
const FALSE_TOKENS = new Set(['false', 'no', 'f', 'n']);

/** true / false for boolean words (true, yes, t, y / false, no, f, n; any case), else null. */
export function parseBooleanToken(cell: string): boolean | null {
  if (cell.length > 5) return null;
  const lower = cell.toLowerCase();
  if (TRUE_TOKENS.has(lower)) return true;
  if (FALSE_TOKENS.has(lower)) return false;
  return null;
}

// ISO 8601 dates and date-times (2013-08-14, 2013-08-14 06:03:42, 2013-08-14T06:03:42.5Z,
// …+02:00) and the same with slashes (2013/08/14). Day-first and month-first forms (08/14/2013)
// are ambiguous between locales, so they stay strings rather than risk swapping day and month.
const DATETIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since the epoch (UTC unless the cell names an offset), or null. */
export function parseDatetime(cell: string): number | null {
  if (cell.length < 8 || cell.length > 35 || cell.charCodeAt(0) > 57 || cell.charCodeAt(0) < 48) return null;
  const m = DATETIME.exec(cell);
  if (!m) return null;
  const [year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = m.slice(1);
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  let ms = Date.UTC(y, mo - 1, d, h, mi, s) + (fraction ? Math.round(Number(fraction) * 1000) : 0);
  // Date.UTC rolls 2013-02-30 over into March; such a cell is not a real date.
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return null;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

/** Counts gathered over a column's non-missing cells (see stats.ts). */
export interface TypeEvidence {
  /** Non-missing cells. */
  count: number;
  /** Cells that parse as plain numbers without leading zeros. */
  numeric: number;
  /** Numeric cells other than exactly 0 or 1. */
  numericNotBinary: number;
  /** Cells that are boolean words. */
  booleanWords: number;
  /** Cells that parse as ISO-style dates or date-times. */
  datetime: number;
  /** Distinct values (exact up to the tracking cap, then a HyperLogLog estimate). */
  distinct: number;
  /** Mean characters per cell. */
  meanLength: number;
  /** Mean whitespace-separated words per cell. */
  meanWords: number;
}

/**
 * Strings with at most this many distinct values are categorical, whatever the row count:
 * one-hot encoding and per-group reports stay readable up to about this size.
 */
export const CATEGORICAL_MAX_DISTINCT = 50;
/**
 * Above CATEGORICAL_MAX_DISTINCT, strings are still categorical when values repeat a lot:
 * at most this many distinct values AND at most this share of the non-missing cells
 * (COMPAS's ~440 charge descriptions over 7 000 rows qualify; names and case numbers do not).
 */
export const CATEGORICAL_MAX_DISTINCT_REPEATED = 1000;
export const CATEGORICAL_MAX_DISTINCT_SHARE = 0.1;
/**
 * Strings this long on average, or with this many words, are free text (reviews, notes,
 * descriptions) whatever their cardinality: the tokenizer handles them, one-hot cannot.
 */
export const TEXT_MIN_MEAN_LENGTH = 50;
export const TEXT_MIN_MEAN_WORDS = 5;
/** A column whose distinct values cover this share of its non-missing cells is unique enough to be an id. */
export const ID_MIN_UNIQUE_SHARE = 0.97;

export interface TypeDecision {
  type: ColumnType;
  /** One sentence for the dataset page, e.g. "all 32561 values are numbers". */
  reason: string;
}

/**
 * The rules, in order; a type needs every non-missing cell to agree (one stray word makes a
 * numeric column categorical, which is visible and can be overridden, where silently dropping
 * the word as missing would not be):
 * 1. no values at all → categorical (nothing to infer; the suggested role is ignored);
 * 2. every value a boolean word, or every value the number 0 or 1 → boolean;
 * 3. every value a number → numeric;
 * 4. every value an ISO-style date or date-time → datetime;
 * 5. long strings (≥ TEXT_MIN_MEAN_LENGTH characters or ≥ TEXT_MIN_MEAN_WORDS words on average) → text;
 * 6. few distinct values (≤ CATEGORICAL_MAX_DISTINCT, or ≤ CATEGORICAL_MAX_DISTINCT_REPEATED and
 *    ≤ CATEGORICAL_MAX_DISTINCT_SHARE of the values) → categorical;
 * 7. otherwise → text (short but nearly unique strings: names, case numbers, free-form codes).
 */
export function inferColumnType(e: TypeEvidence): TypeDecision {
  const n = e.count;
  if (n === 0) return { type: 'categorical', reason: 'every value is missing' };
  if (e.booleanWords === n) return { type: 'boolean', reason: `all ${n} values are yes/no or true/false words` };
  if (e.numeric === n) {
    if (e.numericNotBinary === 0) return { type: 'boolean', reason: `all ${n} values are 0 or 1` };
    return { type: 'numeric', reason: `all ${n} values are numbers` };
  }
  if (e.datetime === n) return { type: 'datetime', reason: `all ${n} values are dates or date-times` };
  if (e.meanLength >= TEXT_MIN_MEAN_LENGTH || e.meanWords >= TEXT_MIN_MEAN_WORDS) {
    return { type: 'text', reason: `values are long (${round1(e.meanLength)} characters, ${round1(e.meanWords)} words on average)` };
  }
  const mixed = e.numeric > 0 ? ` (${n - e.numeric} of ${n} values are not numbers)` : '';
  if (e.distinct <= CATEGORICAL_MAX_DISTINCT || (e.distinct <= CATEGORICAL_MAX_DISTINCT_REPEATED && e.distinct <= CATEGORICAL_MAX_DISTINCT_SHARE * n)) {
    return { type: 'categorical', reason: `${e.distinct} distinct values${mixed}` };
  }
  return { type: 'text', reason: `${e.distinct} distinct short values over ${n} rows: too many for categories${mixed}` };
}

/** id, index, key, uuid, guid; person_id, case-key; camelCase userId. */
function looksLikeIdName(name: string): boolean {
  return /^(id|index|key|uuid|guid)$/i.test(name) || /[_\s-](id|key|uuid)$/i.test(name) || /[a-z]Id$/.test(name);
}

/**
 * The role a column gets before the user picks one: ids and near-unique strings → id,
 * constant or empty columns and short high-cardinality strings → ignored, the rest → feature.
 * Labels and sensitive attributes are the user's call and never suggested.
 */
export function suggestRole(name: string, type: ColumnType, e: Pick<TypeEvidence, 'count' | 'distinct' | 'meanWords' | 'meanLength'>): ColumnRole {
  if (e.count === 0 || e.distinct <= 1) return 'ignored';
  const unique = e.distinct >= ID_MIN_UNIQUE_SHARE * e.count && e.count >= 20;
  if (looksLikeIdName(name) && (unique || type === 'text')) return 'id';
  if (type === 'text') {
    if (e.meanLength >= TEXT_MIN_MEAN_LENGTH || e.meanWords >= TEXT_MIN_MEAN_WORDS) return 'feature';
    return unique ? 'id' : 'ignored';
  }
  if (type === 'categorical' && unique) return 'id';
  return 'feature';
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
