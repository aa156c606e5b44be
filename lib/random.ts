/**
 * Seeded pseudo-random numbers, shared by dataset splits, synthetic data, augmentation and the
 * worker, so that a run's seed reproduces the same rows, images and batches everywhere.
 *
 * The generator is xoshiro128** (Blackman & Vigna): 128 bits of state, 32-bit outputs, fast in
 * plain JavaScript integer maths and statistically far better than Math.random-style LCGs.
 * Its state is seeded from one 32-bit seed through splitmix32, as its authors recommend, so
 * nearby seeds (0, 1, 2 …) give unrelated streams.
 */

/** A seeded generator. Every method advances the same underlying stream. */
export interface Rng {
  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number;
  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** An integer in [0, maxExclusive), without modulo bias. */
  int(maxExclusive: number): number;
  /** A float in [min, max). */
  uniform(min: number, max: number): number;
  /** A standard normal deviate (Box–Muller; the second deviate of each pair is kept for the next call). */
  normal(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T;
}

const UINT32 = 2 ** 32;

/** splitmix32: expands one 32-bit seed into well-mixed state words. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Reduces any number (negative, fractional, larger than 32 bits) to a 32-bit seed. */
function toSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const int = Math.trunc(seed);
  return ((int % UINT32) + UINT32) % UINT32;
}

/** xoshiro128** seeded from a 32-bit integer (other numbers are reduced modulo 2^32). */
export function createRng(seed: number): Rng {
  const mix = splitmix32(toSeed(seed));
  return rngFromState([mix(), mix(), mix(), mix()]);
}

/** xoshiro128** from an explicit 128-bit state (four 32-bit words, not all zero). */
export function rngFromState(state: readonly [number, number, number, number]): Rng {
  let [s0, s1, s2, s3] = state.map((w) => w >>> 0) as [number, number, number, number];
  // An all-zero state would only ever produce zeros.
  if ((s0 | s1 | s2 | s3) === 0) throw new RangeError('xoshiro128** state must not be all zeros');
  let spareNormal: number | null = null;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  const next = (): number => nextUint32() / UINT32;

  const rng: Rng = {
    nextUint32,
    next,
    int(maxExclusive) {
      if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > UINT32) {
        throw new RangeError(`int() needs an integer bound in [1, 2^32], got ${maxExclusive}`);
      }
      // Rejection sampling: draws at or above the largest multiple of the bound would bias low values.
      const limit = UINT32 - (UINT32 % maxExclusive);
      let draw = nextUint32();
      while (draw >= limit) draw = nextUint32();
      return draw % maxExclusive;
    },
    uniform(min, max) {
      return min + (max - min) * next();
    },
    normal() {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return value;
      }
      // 1 - next() is in (0, 1], so the logarithm is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
    chance(p) {
      return next() < p;
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = items[i];
        items[i] = items[j];
        items[j] = tmp;
      }
      return items;
    },
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A seed derived from a base seed and any number of integers (epoch, batch, sample index …),
 * so parallel or resumed work draws the same numbers as a single sequential pass would.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = toSeed(seed) ^ 0x2545f491;
  for (const part of [parts.length, ...parts]) {
    h = Math.imul(h ^ toSeed(part), 0x9e3779b1) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca77) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h >>> 0;
}
