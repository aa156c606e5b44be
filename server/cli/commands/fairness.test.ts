import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, type CliIO } from '../types';
import { fairnessCommand, type FairnessCliReport } from './fairness';

let dir: string;

/** Fairlearn's documented example, with a score column that reproduces y_pred at 0.5 and a second attribute. */
const Y_TRUE = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1];
const Y_PRED = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0];
const GROUP = ['b', 'b', 'a', 'b', 'b', 'c', 'c', 'c', 'a', 'a', 'c', 'a', 'b', 'c', 'c', 'b', 'c', 'c'];
const FAIRLEARN = ['y_true,y_pred,score,group,region', ...Y_TRUE.map((y, i) => `${y},${Y_PRED[i]},${Y_PRED[i] ? 0.5 + i / 100 : 0.49 - i / 100},${GROUP[i]},${i % 2 ? 'north' : 'south'}`)].join('\n');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'deepboard-fairness-'));
  await writeFile(path.join(dir, 'fairlearn.csv'), `${FAIRLEARN}\n`);
  await writeFile(path.join(dir, 'bad-label.csv'), 'y,p,g\n1,1,a\n2,0,b\n');
  await writeFile(path.join(dir, 'missing-pred.csv'), 'y,p,g\n1,1,a\n0,,b\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fakeIo(): CliIO & { out: string; err: string } {
  const io: CliIO & { out: string; err: string } = {
    out: '',
    err: '',
    env: { NODE_ENV: 'test' },
    cwd: dir,
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
  };
  return io;
}

async function runJson(argv: string[]): Promise<FairnessCliReport> {
  const io = fakeIo();
  expect(await fairnessCommand.run([...argv, '--json'], io)).toBe(0);
  return JSON.parse(io.out) as FairnessCliReport;
}

async function usageError(argv: string[]): Promise<string> {
  const error = await fairnessCommand.run(argv, fakeIo()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  expect((error as UsageError).message).not.toContain('\n');
  return (error as UsageError).message;
}

const BASE = ['--csv', 'fairlearn.csv', '--label', 'y_true', '--sensitive', 'group'];

describe('deepboard fairness', () => {
  it("reproduces Fairlearn's documented example exactly through --json", async () => {
    const r = await runJson([...BASE, '--pred', 'y_pred']);
    const s = r.attributes[0]!;
    expect(s.attribute).toBe('group');
    expect(Object.fromEntries(s.groups.map((g) => [g.group, g.selection_rate]))).toEqual({ a: 0.75, b: 0.5, c: 0.5 });
    expect(s.between_groups.demographic_parity_difference).toBe(0.25);
    expect(s.between_groups.demographic_parity_ratio).toBeCloseTo(0.6667, 4);
    expect(s.between_groups.equalized_odds_difference).toBe(1);
    expect(s.between_groups.equalized_odds_ratio).toBe(0);
    expect(r.rows).toBe(18);
    expect(r.reference).toBeNull();
    expect(r.bootstrap).toBeNull();
  });

  it('names every documented JSON key', async () => {
    const r = await runJson([...BASE, '--pred', 'y_pred', '--reference', 'a', '--alpha', '3']);
    const json = JSON.stringify(r);
    for (const key of [
      'selection_rate',
      'tpr',
      'fpr',
      'fnr',
      'accuracy',
      'precision',
      'demographic_parity_difference',
      'demographic_parity_ratio',
      'equalized_odds_difference',
      'equalized_odds_ratio',
      'equal_opportunity_difference',
      'equal_opportunity_ratio',
      'disparate_impact',
      'statistical_parity_difference',
      'average_odds_difference',
      'generalized_entropy_index',
      'theil_index',
    ]) {
      expect(json).toContain(`"${key}":`);
    }
    expect(r.reference!.attribute).toBe('group');
    // pooled b+c: selection 7/14 vs a 3/4
    expect(r.reference!.pooled.disparate_impact).toBeCloseTo(0.5 / 0.75, 15);
    expect(r.reference!.pooled.statistical_parity_difference).toBe(-0.25);
    expect(r.individual.alpha).toBe(3);
  });

  it('thresholds scores, and reports intersections and bootstrap intervals', async () => {
    const viaScores = await runJson([...BASE, '--score', 'score', '--threshold', '0.5']);
    const viaPreds = await runJson([...BASE, '--pred', 'y_pred']);
    expect(viaScores.attributes).toEqual(viaPreds.attributes);
    const r = await runJson(['--csv', 'fairlearn.csv', '--label', 'y_true', '--pred', 'y_pred', '--sensitive', 'group,region', '--reference', 'region=north', '--bootstrap', '30', '--seed', '4']);
    expect(r.attributes.map((s) => s.attribute)).toEqual(['group', 'region', 'group & region']);
    expect(r.attributes[2]!.groups).toHaveLength(6);
    expect(r.reference!.attribute).toBe('region');
    expect(r.bootstrap!.resamples).toBe(30);
    expect(r.bootstrap!.intervals.length).toBeGreaterThan(100);
    const again = await runJson(['--csv', 'fairlearn.csv', '--label', 'y_true', '--pred', 'y_pred', '--sensitive', 'group,region', '--reference', 'region=north', '--bootstrap', '30', '--seed', '4']);
    expect(again.bootstrap).toEqual(r.bootstrap);
  });

  it('prints a readable report', async () => {
    const io = fakeIo();
    expect(await fairnessCommand.run([...BASE, '--pred', 'y_pred', '--reference', 'a'], io)).toBe(0);
    expect(io.out).toContain('By group');
    expect(io.out).toContain('demographic_parity_difference (between_groups): 0.2500');
    expect(io.out).toContain('equalized_odds_ratio (between_groups): 0.0000');
    expect(io.out).toContain('Against group = a');
  });

  it('exits 2 with one line on bad input', async () => {
    expect(await usageError(['--csv', 'bad-label.csv', '--label', 'y', '--pred', 'p', '--sensitive', 'g'])).toBe("bad-label.csv line 3: y must be 0 or 1, got '2'");
    expect(await usageError(['--csv', 'missing-pred.csv', '--label', 'y', '--pred', 'p', '--sensitive', 'g'])).toBe('missing-pred.csv line 3: p must be 0 or 1, got a missing value');
    expect(await usageError([...BASE, '--pred', 'y_pred', '--label', 'nope'])).toMatch(/^unknown column 'nope' in --label; the columns of fairlearn.csv are: y_true/);
    expect(await usageError([...BASE, '--score', 'score', '--threshold', '1.5'])).toBe('--threshold must be between 0 and 1, got 1.5');
    expect(await usageError([...BASE, '--score', 'score', '--threshold', 'high'])).toBe("--threshold must be a number, got 'high'");
    expect(await usageError([...BASE, '--pred', 'y_pred', '--reference', 'z'])).toBe("fairlearn.csv: reference group 'z' does not occur in 'group'; its groups are: a, b, c");
    expect(await usageError([...BASE, '--pred', 'y_pred', '--bootstrap', '10'])).toBe('--bootstrap N and --seed S go together');
    expect(await usageError([...BASE, '--pred', 'y_pred', '--seed', '1'])).toBe('--bootstrap N and --seed S go together');
    expect(await usageError([...BASE, '--pred', 'y_pred', '--bootstrap', '0', '--seed', '1'])).toMatch(/^--bootstrap must be a whole number/);
    expect(await usageError([...BASE, '--pred', 'y_pred', '--score', 'score'])).toMatch(/^give --pred or --score, not both/);
    expect(await usageError([...BASE])).toMatch(/^missing --pred COL or --score COL/);
    expect(await usageError([...BASE, '--pred', 'y_pred', '--threshold', '0.3'])).toBe('--threshold applies to --score only');
    expect(await usageError(['--csv', 'nope.csv', '--label', 'y', '--pred', 'p', '--sensitive', 'g'])).toBe('cannot read nope.csv: no such file');
    expect(await usageError(['--csv', 'fairlearn.csv', '--label', 'y_true', '--pred', 'y_pred'])).toMatch(/^missing --sensitive/);
    expect(await usageError([...BASE, '--pred', 'y_pred', '--alpha', 'x'])).toBe("--alpha must be a number, got 'x'");
    expect(await usageError([...BASE, '--pred', 'y_pred', '--bogus'])).toMatch(/^Unknown option '--bogus'/);
  });
});
