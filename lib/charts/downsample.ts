/**
 * Downsampling that keeps what a loss curve is read for. The series is cut into equal step
 * ranges; each range contributes its minimum and its maximum point (in step order), so a one-step
 * spike survives any zoom level, and the last point is always kept, so the chart ends where the
 * run is. At most `maxPoints` points come back. (Evenly spaced sampling, as in MLflow's charts,
 * drops spikes that fall between samples.)
 */
export interface Point {
  step: number;
  value: number;
}

export function downsampleMinMax<P extends Point>(points: readonly P[], maxPoints: number): P[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError('maxPoints must be a positive integer');
  const n = points.length;
  if (n <= maxPoints) return points.slice();
  if (maxPoints < 3) return maxPoints === 1 ? [points[n - 1]!] : [points[0]!, points[n - 1]!];
  const last = points[n - 1]!;
  const buckets = Math.floor((maxPoints - 1) / 2);
  const lo = points[0]!.step;
  const hi = points[n - 2]!.step;
  const width = (hi - lo + 1) / buckets;
  const out: P[] = [];
  let i = 0;
  for (let b = 0; b < buckets && i < n - 1; b++) {
    const end = b === buckets - 1 ? Infinity : lo + (b + 1) * width;
    let min: P | null = null;
    let max: P | null = null;
    for (; i < n - 1 && points[i]!.step < end; i++) {
      const p = points[i]!;
      // NaN (a diverged step) is kept as an extreme: it is the most important point to show.
      if (!min || p.value < min.value || Number.isNaN(p.value)) min = p;
      if (!max || p.value > max.value || Number.isNaN(p.value)) max = p;
    }
    if (!min || !max) continue;
    if (min === max) out.push(min);
    else if (min.step <= max.step) out.push(min, max);
    else out.push(max, min);
  }
  out.push(last);
  return out;
}
