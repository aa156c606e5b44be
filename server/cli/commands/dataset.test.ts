import { expectUsageError, fakeIo as sharedFakeIo } from '../test-io';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLoanApprovals } from '@/lib/datasets/synthetic';
import { datasetProfileCommand, type DatasetProfileReport } from './dataset';

let dir: string;

/** 30 rows: 3 of 15 women approved, 12 of 15 men; ages 20–78; one missing job. */
const PEOPLE = [
  'id,age,job,sex,race,approved',
  ...Array.from({ length: 30 }, (_, i) => {
    const sex = i < 15 ? 'F' : 'M';
    const approved = (sex === 'F') === (i % 5 === 0) ? 'yes' : 'no';
    return `${i + 1},${20 + i * 2},${i === 3 ? '?' : i % 2 ? 'clerk' : 'sales'},${sex},${i % 3 ? 'A' : 'B'},${approved}`;
  }),
].join('\n');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'deepboard-dataset-'));
  await writeFile(path.join(dir, 'people.csv'), `${PEOPLE}\n`);
  await writeFile(path.join(dir, 'ragged.csv'), 'a,b,c\n1,2,3\n4,5\n');
  await writeFile(path.join(dir, 'single.csv'), 'x,y\n1,a\n2,a\n');
  await mkdir(path.join(dir, 'folder.csv'));
  const loans = generateLoanApprovals({ rows: 3000, seed: 1, biasStrength: 1 });
  await writeFile(path.join(dir, 'loans.csv'), [loans.table.columns.join(','), ...loans.table.rows.map((r) => r.map((c) => c ?? '').join(','))].join('\n'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fakeIo = () => sharedFakeIo(dir);
const usageError = (argv: string[]) => expectUsageError(datasetProfileCommand, argv, dir);

describe('deepboard dataset profile', () => {
  it('is registered under dataset profile', () => {
    expect(datasetProfileCommand.path).toEqual(['dataset', 'profile']);
    expect(datasetProfileCommand.usage).toBe('deepboard dataset profile FILE.csv --label COL [--sensitive COL[,COL…]] [--json]');
  });

  it('prints types, missing counts and base rates per group and intersection', async () => {
    const io = fakeIo();
    expect(await datasetProfileCommand.run(['people.csv', '--label', 'approved', '--sensitive', 'sex,race'], io)).toBe(0);
    expect(io.out).toContain("people.csv: 30 rows × 6 columns (delimiter ',', header row)");
    expect(io.out).toMatch(/^id +numeric +id +0 +30 +1 – 30, mean 15.5/m);
    expect(io.out).toMatch(/^job +categorical +feature +1 +2 /m);
    expect(io.out).toMatch(/^approved +boolean +label /m);
    expect(io.out).toContain("Label approved: binary, positive class 'yes': it reads as yes/true");
    expect(io.out).toContain("Base rate of approved = 'yes' by sex\n");
    expect(io.out).toContain('Overall base rate 50.0% over 30 labelled rows');
    expect(io.out).toMatch(/^F +15 +50\.0% +20\.0%$/m);
    expect(io.out).toMatch(/^M +15 +50\.0% +80\.0%$/m);
    expect(io.out).toContain('Gap: 60.0 points (F 20.0% vs M 80.0%), ratio 0.25');
    expect(io.out).toContain("Base rate of approved = 'yes' by sex × race");
    expect(io.out).toMatch(/^F × B +5 +16\.7% +20\.0%$/m);
    // A tie goes to the earlier, simpler table.
    expect(io.out).toContain('Largest gap: sex: 60.0 points (F 20.0% vs M 80.0%), ratio 0.25');
    expect(io.err).toBe('');
  });

  it('prints the documented JSON shape with --json, grouping numeric sensitive columns into ranges', async () => {
    const io = fakeIo();
    expect(await datasetProfileCommand.run(['people.csv', '--label=approved', '--sensitive=age', '--json'], io)).toBe(0);
    const report = JSON.parse(io.out) as DatasetProfileReport;
    expect(Object.keys(report)).toEqual(['file', 'rows', 'format', 'warnings', 'columns', 'label', 'bias']);
    expect(report.rows).toBe(30);
    expect(report.columns.map((c) => [c.name, c.type, c.role])).toEqual([
      ['id', 'numeric', 'id'],
      ['age', 'numeric', 'sensitive'],
      ['job', 'categorical', 'feature'],
      ['sex', 'categorical', 'feature'],
      ['race', 'categorical', 'feature'],
      ['approved', 'boolean', 'label'],
    ]);
    expect(report.label.task).toEqual({ kind: 'binary', positiveClass: 'yes', negativeClass: 'no' });
    const ages = report.bias!.tables[0]!;
    expect(ages.groups.map((g) => g.name)).toEqual(['< 35', '35–49', '49–64', '≥ 64']);
    expect(ages.groups.map((g) => g.count)).toEqual([8, 7, 7, 8]);
  });

  it('finds the planted bias in a synthetic loans file', async () => {
    const io = fakeIo();
    await datasetProfileCommand.run(['loans.csv', '--label', 'approved', '--sensitive', 'sex', '--json'], io);
    const gap = (JSON.parse(io.out) as DatasetProfileReport).bias!.tables[0]!.gap!;
    expect(gap.lowest.group).toBe('female');
    expect(gap.difference).toBeGreaterThan(0.2);
  });

  it('profiles without --sensitive', async () => {
    const io = fakeIo();
    expect(await datasetProfileCommand.run(['people.csv', '--label', 'job'], io)).toBe(0);
    expect(io.out).toContain('Label job: binary');
    expect(io.out).not.toContain('Base rate of');
  });

  it.each([
    [[], 'missing FILE.csv; usage: deepboard dataset profile'],
    [['people.csv'], 'missing --label COL'],
    [['people.csv', 'more.csv', '--label', 'x'], "unexpected argument 'more.csv'"],
    [['people.csv', '--label', 'approved', '--yaml'], "Unknown option '--yaml'"],
    [['people.csv', '--label', 'approved', '--sensitive', ','], '--sensitive needs column names'],
    [['nope.csv', '--label', 'x'], 'cannot read nope.csv: no such file'],
    [['folder.csv', '--label', 'x'], 'cannot read folder.csv: it is a directory'],
    [['people.csv', '--label', 'income'], "unknown column 'income' in --label; the columns of people.csv are: id, age, job, sex, race, approved"],
    [['people.csv', '--label', 'approved', '--sensitive', 'sex,gender'], "unknown column 'gender' in --sensitive"],
    [['people.csv', '--label', 'sex', '--sensitive', 'sex'], "column 'sex' is the label; it cannot also be sensitive"],
    [['ragged.csv', '--label', 'a'], 'ragged.csv: line 3: expected 3 fields but found 2'],
    [['single.csv', '--label', 'y'], "single.csv: label 'y' has a single value ('a'); there is nothing to predict"],
    [['loans.csv', '--label', 'approved', '--sensitive', 'applicant_id'], "loans.csv: sensitive column 'applicant_id' has more than 100 distinct values"],
  ])('exits with a usage error for %j', async (argv, message) => {
    expect((await usageError(argv)).message).toContain(message);
  });
});
