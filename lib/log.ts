import { firstLine, UserError } from './errors';

/**
 * Failures of work nobody waits for (upkeep, heartbeats, notifications, cache refreshes, clean-up)
 * must not vanish nor flood the console. `logFailure` logs one line with what was being done;
 * `failureStreak` does the same for repeating work, once per streak of failures and once when it
 * recovers; `ignoreError` marks the rare failure that is genuinely fine to drop, saying why.
 * Lines carry the error's name and first line, never a stack: these failures are expected.
 */

export type LogLine = (line: string) => void;

let sink: LogLine = (line) => console.error(line);

/** Where failure lines go (console.error by default); returns the previous sink. For tests. */
export function setFailureLog(next: LogLine): LogLine {
  const previous = sink;
  sink = next;
  return previous;
}

/** One line for an error: a UserError's message, otherwise `Name: first line`. */
export function describeError(err: unknown): string {
  if (err instanceof UserError) return firstLine(err.message);
  if (err instanceof Error) return `${err.name || 'Error'}: ${firstLine(err.message)}`;
  return firstLine(String(err));
}

/** A `.catch` handler that logs `[deepboard] <context> failed: <error>` once (to `log` when given, e.g. the worker's). */
export function logFailure(context: string, log?: LogLine): (err: unknown) => void {
  return (err) => (log ?? sink)(`${log ? '' : '[deepboard] '}${context} failed: ${describeError(err)}`);
}

export interface FailureStreak {
  /** Records a failure: logged when it starts a streak, counted otherwise. */
  fail(err: unknown): void;
  /** Records a success: logs the recovery when it ends a streak. */
  ok(): void;
  /** Runs `fn`, recording its outcome; never rejects. */
  run(fn: () => Promise<unknown>): Promise<void>;
  /** Failures in the current streak (0 when the last attempt succeeded). */
  readonly failures: number;
}

/** For work that repeats (a heartbeat, a periodic task): the first failure and the recovery are logged, not every tick. */
export function failureStreak(context: string, log?: LogLine): FailureStreak {
  let failures = 0;
  const write = (line: string) => (log ?? sink)(log ? line : `[deepboard] ${line}`);
  const streak: FailureStreak = {
    fail(err) {
      failures++;
      if (failures === 1) write(`${context} failed: ${describeError(err)} (repeats are not logged until it succeeds again)`);
    },
    ok() {
      if (failures > 0) write(`${context} recovered after ${failures} failure${failures === 1 ? '' : 's'}`);
      failures = 0;
    },
    run: (fn) =>
      fn().then(
        () => streak.ok(),
        (err: unknown) => streak.fail(err),
      ),
    get failures() {
      return failures;
    },
  };
  return streak;
}

/** One streak per key (a sweep id, a run id) for repeating work over many things; a key is forgotten when it succeeds. */
export function failureStreaks(context: (key: string) => string, log?: LogLine): { run(key: string, fn: () => Promise<unknown>): Promise<void> } {
  const streaks = new Map<string, FailureStreak>();
  return {
    async run(key, fn) {
      let streak = streaks.get(key);
      try {
        await fn();
        if (streak) {
          streak.ok();
          streaks.delete(key);
        }
      } catch (err) {
        if (!streak) streaks.set(key, (streak = failureStreak(context(key), log)));
        streak.fail(err);
      }
    },
  };
}

/** A `.catch` handler for a failure that is right to drop; `why` says why, for the reader. */
export function ignoreError(why: string): (err: unknown) => void {
  void why;
  return () => {};
}
