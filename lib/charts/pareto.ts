/**
 * The Pareto front of points under two objectives: a point is on the front when no other point
 * is at least as good on both and strictly better on one. Directions say which way is better.
 */
export interface ParetoPoint {
  id: string;
  x: number;
  y: number;
}

export function paretoFront(points: readonly ParetoPoint[], better: { x: 'min' | 'max'; y: 'min' | 'max' }): Set<string> {
  const sx = better.x === 'max' ? 1 : -1;
  const sy = better.y === 'max' ? 1 : -1;
  const valid = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const front = new Set<string>();
  for (const p of valid) {
    const dominated = valid.some((q) => q !== p && sx * q.x >= sx * p.x && sy * q.y >= sy * p.y && (sx * q.x > sx * p.x || sy * q.y > sy * p.y));
    if (!dominated) front.add(p.id);
  }
  return front;
}

/** Flattens a nested config into dotted paths: { optimizer: { name: 'adam' } } → { 'optimizer.name': 'adam' }. */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = value;
  return out;
}
