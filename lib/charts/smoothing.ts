/**
 * Exponential smoothing weighted by distance along x, not by point count. A classic EMA
 * (TensorBoard's) smooths 100 points spread over 10 000 steps far less than 10 000 points over
 * the same steps, so the curve changes shape when the series is downsampled or logged more
 * often. Here each point's influence decays with the x-distance: w = exp(−Δx / τ), with τ a
 * fraction of the visible x-range, and the start is debiased (as in Adam), so the same data
 * looks the same at any density.
 */
export interface XY {
  x: number;
  y: number;
}

/**
 * @param smoothing 0 (none) … 1 (heavy); τ = smoothing² × range / 4, so the slider feels even.
 */
export function smoothTimeWeighted(points: readonly XY[], smoothing: number): XY[] {
  if (smoothing <= 0 || points.length < 2) return points.map((p) => ({ ...p }));
  const range = points[points.length - 1]!.x - points[0]!.x || 1;
  const tau = (Math.min(1, smoothing) ** 2 * range) / 4;
  const out: XY[] = [];
  let acc = 0;
  let norm = 0;
  let lastX = points[0]!.x;
  const firstGap = points[1]!.x - points[0]!.x || range / points.length;
  for (const p of points) {
    if (!Number.isFinite(p.y)) {
      out.push({ x: p.x, y: p.y });
      continue;
    }
    const dx = p.x - lastX;
    const w = Math.exp(-dx / tau);
    // Each point stands for the stretch of x since the previous one, so uneven sampling (dense
    // around spikes after min/max downsampling) does not over-weight crowded regions.
    const share = out.length === 0 ? firstGap : Math.max(dx, 1e-12 * range);
    acc = acc * w + p.y * share;
    norm = norm * w + share;
    lastX = p.x;
    out.push({ x: p.x, y: acc / norm });
  }
  return out;
}
