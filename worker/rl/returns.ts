/**
 * Returns and advantages for policy gradients, in plain numbers (one episode at a time).
 */

/** Gₜ = rₜ + γ·Gₜ₊₁, with G after the last step = `bootstrap` (0 for a finished episode). */
export function discountedReturns(rewards: readonly number[], gamma: number, bootstrap = 0): number[] {
  const out = new Array<number>(rewards.length);
  let running = bootstrap;
  for (let t = rewards.length - 1; t >= 0; t--) {
    running = rewards[t]! + gamma * running;
    out[t] = running;
  }
  return out;
}

/**
 * Generalised advantage estimation (Schulman et al. 2016). `values` has one more entry than
 * `rewards`: the value of the state after the last step, 0 if the episode terminated there and
 * the critic's estimate if it was only cut off by the step limit.
 */
export function generalisedAdvantages(rewards: readonly number[], values: readonly number[], gamma: number, lambda: number): number[] {
  if (values.length !== rewards.length + 1) throw new Error(`need ${rewards.length + 1} values for ${rewards.length} rewards, got ${values.length}`);
  const out = new Array<number>(rewards.length);
  let running = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    const delta = rewards[t]! + gamma * values[t + 1]! - values[t]!;
    running = delta + gamma * lambda * running;
    out[t] = running;
  }
  return out;
}

/** Scales to mean 0 and standard deviation 1 (only centred when all values are equal). */
export function normalise(values: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return [];
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const std = Math.sqrt(variance);
  return values.map((v) => (std > 1e-8 ? (v - mean) / std : v - mean));
}

/** Mean of the last `window` values (of all of them while there are fewer). */
export class RollingMean {
  private readonly values: number[] = [];
  constructor(
    readonly window: number,
    initial: readonly number[] = [],
  ) {
    for (const v of initial) this.push(v);
  }

  push(value: number): void {
    this.values.push(value);
    if (this.values.length > this.window) this.values.shift();
  }

  get mean(): number {
    return this.values.length === 0 ? 0 : this.values.reduce((a, b) => a + b, 0) / this.values.length;
  }

  get full(): boolean {
    return this.values.length >= this.window;
  }

  get recent(): number[] {
    return [...this.values];
  }
}
