/**
 * The in-memory shape of tabular data shared by splits, the bias profile and the encoder:
 * rows of trimmed cells aligned with `columns`, `null` for a missing value. CSV reading and the
 * synthetic generators both produce it, so everything downstream ignores where rows came from.
 */
import { DatasetError } from './errors';

/** A trimmed cell value; `null` is a missing value (empty, `?`, `NA` … see MISSING_MARKERS). */
export type Cell = string | null;
export type DataRow = readonly Cell[];

export interface Table {
  columns: string[];
  rows: DataRow[];
  /** 1-based source line of each row when the rows came from a file, so errors can name it. */
  lines?: number[];
}

/**
 * Cells that mean "no value", compared after trimming and case-insensitively. `none` is left
 * out on purpose: it is a real category in many datasets (e.g. "no masonry veneer").
 */
export const MISSING_MARKERS: readonly string[] = ['', '?', 'na', 'n/a', 'nan', 'null'];

/** Returns a matcher for missing markers (the defaults, or the given list), case-insensitive. */
export function missingMatcher(markers: readonly string[] = MISSING_MARKERS): (value: string) => boolean {
  const set = new Set(markers.map((m) => m.trim().toLowerCase()));
  // Markers are short; skipping the lowercase copy for longer values keeps the hot path cheap.
  const longest = Math.max(0, ...[...set].map((m) => m.length));
  return (value) => value.length <= longest && set.has(value.toLowerCase());
}

/** The index of a column, or a DatasetError listing the columns that do exist. */
export function columnIndex(columns: readonly string[], name: string): number {
  const index = columns.indexOf(name);
  if (index < 0) {
    const shown = columns.length > 12 ? [...columns.slice(0, 12), '…'] : columns;
    throw new DatasetError(`unknown column '${name}'; the columns are: ${shown.join(', ')}`);
  }
  return index;
}

/** "line 17" for rows read from a file, "row 17" (1-based) otherwise. */
export function rowLabel(table: Pick<Table, 'lines'>, rowIndex: number): string {
  const line = table.lines?.[rowIndex];
  return line !== undefined ? `line ${line}` : `row ${rowIndex + 1}`;
}

/** How a missing group value is shown in group keys and reports. */
export const MISSING_GROUP = '(missing)';
