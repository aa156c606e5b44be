/**
 * Downsampling that keeps what a loss curve is read for. The steps are cut into aligned buckets
 * [k·w, (k+1)·w) whose width w is the smallest power of two that needs at most
 * ⌊(maxPoints − 1) / 2⌋ buckets; each bucket contributes its lowest and its highest point (in step
 * order; the earliest on ties), so a one-step spike survives any zoom level, and the last point is
 * always kept, so the chart ends where the run is. At most `maxPoints` points come back.
 * (Evenly spaced sampling, as in MLflow's charts, drops spikes that fall between samples.)
 *
 * Aligned power-of-two buckets are what lets the server answer from pre-aggregated tiers
 * (MetricTier: widths 32, 256, 2048, 16384, 131072), whose buckets nest exactly inside these; the SQL
 * in server/services/metrics.ts gives the same points as this function.
 *
 * Ordering is Postgres's: NaN counts as higher than every number (a diverged step shows as the
 * bucket's maximum).
 */
export interface Point {
  step: number;
  value: number;
}

/** a < b in Postgres's float8 order (NaN above +Infinity, NaN = NaN). */
function below(a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return a < b;
}

/** The bucket width for steps lo..hi with at most `buckets` buckets (buckets ≥ 1). */
export function bucketWidth(lo: number, hi: number, buckets: number): number {
  let w = 1;
  while (Math.floor(hi / w) - Math.floor(lo / w) + 1 > buckets) w *= 2;
  return w;
}

export function downsampleMinMax<P extends Point>(points: readonly P[], maxPoints: number): P[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError('maxPoints must be a positive integer');
  const n = points.length;
  if (n <= maxPoints) return points.slice();
  if (maxPoints < 3) return maxPoints === 1 ? [points[n - 1]!] : [points[0]!, points[n - 1]!];
  const last = points[n - 1]!;
  const w = bucketWidth(points[0]!.step, last.step, Math.floor((maxPoints - 1) / 2));
  const out: P[] = [];
  let i = 0;
  while (i < n) {
    const bucket = Math.floor(points[i]!.step / w);
    let min = points[i]!;
    let max = points[i]!;
    for (i++; i < n && Math.floor(points[i]!.step / w) === bucket; i++) {
      const p = points[i]!;
      if (below(p.value, min.value)) min = p;
      if (below(max.value, p.value)) max = p;
    }
    if (min === max) out.push(min);
    else if (min.step < max.step) out.push(min, max);
    else out.push(max, min);
  }
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}
