/**
 * Shared fast-check settings for the fuzz tests: seeded, so a failure reproduces, and at least
 * 1 000 cases per target in CI. FUZZ_SEED / FUZZ_RUNS override them (e.g. a long local hunt).
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261126);
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 1000));

export const fuzzParams = (runs = FUZZ_RUNS) => ({ seed: FUZZ_SEED, numRuns: runs, endOnFailure: true });

/** Counts the cases a property really ran, so tests can assert the ≥ 1 000 promise. */
export function counter() {
  let n = 0;
  return {
    tick: () => void n++,
    get count() {
      return n;
    },
  };
}
