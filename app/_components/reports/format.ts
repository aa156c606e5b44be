export const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '—' : `${(v * 100).toFixed(1)}%`);
export const num = (v: number | null | undefined, d = 3) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));

/** A bootstrap interval as the worker stores it: the path of the figure in the report. */
export type Interval = { path: string[]; lower: number | null; upper: number | null };

/** The interval of a group metric: ['attributes', attribute, 'groups', group, metric]. */
export function groupInterval(intervals: Interval[], attribute: string, group: string, metric: string): Interval | undefined {
  return intervals.find((i) => i.path.length === 5 && i.path[1] === attribute && i.path[3] === group && i.path[4] === metric);
}

/** The interval of a disparity: ['attributes', attribute, method, metric]. */
export function disparityInterval(intervals: Interval[], attribute: string, method: string, metric: string): Interval | undefined {
  return intervals.find((i) => i.path.length === 4 && i.path[1] === attribute && i.path[2] === method && i.path[3] === metric);
}

/** Light → dark blue for a value in [0, 1]; grey for none. */
export function heat(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '#f1f5f9';
  const t = Math.max(0, Math.min(1, v));
  const lerp = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${lerp(239, 30)}, ${lerp(246, 64)}, ${lerp(255, 175)})`;
}
