import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from './errors';
import { describeError, failureStreak, failureStreaks, ignoreError, logFailure, setFailureLog, type LogLine } from './log';

let lines: string[];
let previous: LogLine;
beforeEach(() => {
  lines = [];
  previous = setFailureLog((line) => lines.push(line));
});
afterEach(() => {
  setFailureLog(previous);
});

const boom = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap (net.js:1:1)'), { name: 'Error' }));

describe('logFailure', () => {
  it('logs one line with the context and the error, without a stack', async () => {
    await boom().catch(logFailure('deleting upload u1'));
    expect(lines).toEqual(['[deepboard] deleting upload u1 failed: Error: connect ECONNREFUSED 127.0.0.1:5432']);
  });

  it("writes to the caller's log when given one", async () => {
    const own: string[] = [];
    await Promise.reject(new NotFoundError('Run not found')).catch(logFailure('notifying run r1', (l) => own.push(l)));
    expect(own).toEqual(['notifying run r1 failed: Run not found']);
    expect(lines).toEqual([]);
  });

  it('describes user errors by their message and other errors by name', () => {
    expect(describeError(new NotFoundError('Sweep not found'))).toBe('Sweep not found');
    expect(describeError(new TypeError('x is undefined'))).toBe('TypeError: x is undefined');
    expect(describeError('plain')).toBe('plain');
  });
});

describe('failureStreak', () => {
  it('logs the first failure of a streak and the recovery, not every tick', async () => {
    const streak = failureStreak('upkeep: reaping stale runs');
    await streak.run(() => Promise.resolve());
    expect(lines).toEqual([]);
    for (let i = 0; i < 5; i++) await streak.run(boom);
    expect(streak.failures).toBe(5);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[deepboard\] upkeep: reaping stale runs failed: Error: connect ECONNREFUSED 127\.0\.0\.1:5432 \(repeats are not logged/);
    await streak.run(() => Promise.resolve());
    await streak.run(() => Promise.resolve());
    expect(streak.failures).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('[deepboard] upkeep: reaping stale runs recovered after 5 failures');
    // A new streak is logged again.
    await streak.run(boom);
    expect(lines).toHaveLength(3);
  });

  it('keeps one streak per key', async () => {
    const streaks = failureStreaks((id) => `advancing sweep ${id}`);
    await streaks.run('a', boom);
    await streaks.run('a', boom);
    await streaks.run('b', boom);
    await streaks.run('b', () => Promise.resolve());
    await streaks.run('a', boom);
    expect(lines.map((l) => l.replace(/ failed: .*/, ' failed'))).toEqual([
      '[deepboard] advancing sweep a failed',
      '[deepboard] advancing sweep b failed',
      '[deepboard] advancing sweep b recovered after 1 failure',
    ]);
  });
});

describe('ignoreError', () => {
  it('drops the error, deliberately and silently', async () => {
    await expect(boom().catch(ignoreError('the temp file may already be gone'))).resolves.toBeUndefined();
    expect(lines).toEqual([]);
  });
});

describe('swallowed errors in the source', () => {
  // A bare `.catch(() => {})` hides failures that matter (a heartbeat, a notification, a clean-up
  // that loses data). Use logFailure / failureStreak, or ignoreError('why') where dropping is right.
  const BARE = /\.catch\(\s*(?:\(\s*(?:_\w*)?\s*\)|_\w*)\s*=>\s*(?:\{\s*\}|undefined|void 0)\s*\)/;

  it('has no bare .catch(() => {}) under lib/, server/, worker/ or app/', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const root = path.resolve(import.meta.dirname, '..');
    const found: string[] = [];
    let scanned = 0;
    for (const top of ['lib', 'server', 'worker', 'app']) {
      for (const entry of await readdir(path.join(root, top), { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !/\.(ts|tsx|mts|mjs|js)$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name)) continue;
        const file = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
        scanned++;
        const lines = (await readFile(path.join(root, file), 'utf8')).split('\n');
        lines.forEach((line, i) => {
          if (BARE.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(scanned).toBeGreaterThan(100);
    expect(found).toEqual([]);
  });

  it('recognises the bare forms', () => {
    for (const bad of ['p.catch(() => {})', 'p.catch((_e) => {})', 'p.catch(() => undefined)', 'p.catch( ( ) => { } )', 'p.catch(_ => {})']) expect(bad).toMatch(BARE);
    for (const ok of ["p.catch(ignoreError('gone'))", 'p.catch(logFailure(`x`))', 'p.catch(() => null)', 'p.catch((e) => log(e))']) expect(ok).not.toMatch(BARE);
  });
});
