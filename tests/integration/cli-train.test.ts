import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PrismaClient } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '@/lib/db/client';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/**
 * `deepboard train` as a user runs it: a separate process, its own database (so no other test's
 * worker takes its run and its in-process worker takes no other test's run), exit codes and the
 * exact stdout/stderr. The runner registers the command when server/cli/main.ts does not yet.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
let db: TestDatabase;
let client: PrismaClient;
let dir: string;

const RUNNER = `
import { findCommand, registerCommand, runCli } from '@/server/cli/main';
import { trainCommand } from '@/server/cli/commands/train';
if (!findCommand(['train'])) registerCommand(trainCommand);
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t + '\\n'),
  stderr: (t) => process.stderr.write(t + '\\n'),
  env: process.env,
  cwd: process.cwd(),
});
`;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'run-ts.mjs'), path.join(dir, 'deepboard-train.mts'), 'train', ...args], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: db.url, DEEPBOARD_DATA_DIR: path.join(dir, 'data'), DEEPBOARD_TEAM: '', DEEPBOARD_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** A learnable binary task: y depends on x1, x2 and the colour; `group` is a sensitive attribute. */
function binaryCsv(rows: number): string {
  let state = 7;
  const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const colours = ['red', 'green', 'blue'];
  const lines = ['x1,x2,colour,group,approved'];
  for (let i = 0; i < rows; i++) {
    const x1 = rand() * 4 - 2;
    const x2 = rand() * 4 - 2;
    const colour = colours[i % 3]!;
    const score = x1 + 0.5 * x2 + (colour === 'red' ? 0.8 : 0) + (rand() - 0.5) * 0.6;
    lines.push(`${x1.toFixed(3)},${x2.toFixed(3)},${colour},${i % 4 === 0 ? 'b' : 'a'},${score > 0.2 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

beforeAll(async () => {
  [db, dir] = await Promise.all([createTestDatabase('deepboard_cli_train'), mkdtemp(path.join(os.tmpdir(), 'deepboard-cli-train-'))]);
  client = createPrismaClient(db.url);
  await writeFile(path.join(dir, 'deepboard-train.mts'), RUNNER);
  await writeFile(path.join(dir, 'loans.csv'), binaryCsv(600));
  await writeFile(path.join(dir, 'ragged.csv'), 'a,b,label\n1,2,x\n3,4,y\n5,6\n7,8,x\n');
  // Three inputs; the loans data encodes to more (x1, x2, one-hot colour).
  await writeFile(
    path.join(dir, 'small-net.json'),
    JSON.stringify({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [3] },
        { type: 'dense', units: 8, activation: 'relu' },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
    }),
  );
});

afterAll(async () => {
  await client?.$disconnect();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('deepboard train', () => {
  it('imports the CSV and the template, trains through the queue on an in-process worker, and prints the evaluation as JSON', async () => {
    const res = await cli(['--arch', 'mlp-classifier', '--csv', 'loans.csv', '--label', 'approved', '--sensitive', 'group', '--epochs', '2', '--seed', '3', '--json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout); // the whole of stdout is the JSON object
    expect(out).toMatchObject({
      status: 'SUCCEEDED',
      error: null,
      worker: 'in-process',
      team: { slug: 'command-line' },
      project: { slug: 'command-line' },
      dataset: { name: 'loans', version: 1, reused: false, rows: 600 },
      architecture: { name: 'mlp-classifier (loans)', version: 1, reused: false, source: 'template' },
      config: { epochs: 2, seed: 3 },
      epochsRun: 2,
      evaluation: { task: 'binary', classNames: ['no', 'yes'] },
    });
    expect(out.backend).toMatch(/^(wasm|cpu|node|node-gpu|webgpu)$/);
    expect(out.url).toBe(`/t/command-line/projects/command-line/runs/${out.runId}`);
    expect(out.dataset.split.train + out.dataset.split.validation + out.dataset.split.test).toBe(600);
    const ev = out.evaluation;
    expect(ev.accuracy).toBeGreaterThan(0.6);
    expect(ev.rocAuc).toBeGreaterThan(0.6);
    for (const k of ['precision', 'recall', 'f1']) expect(ev[k]).toBeGreaterThanOrEqual(0);
    expect(ev.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(ev.testExamples);
    expect(ev.testExamples).toBe(out.dataset.split.test);

    // It is all in the database, like anything made in the web app.
    const run = await client.run.findUniqueOrThrow({
      where: { id: out.runId },
      include: { team: true, project: true, createdBy: true, datasetVersion: true, architectureVersion: { include: { architecture: true } } },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.tags).toEqual(['cli']);
    expect(run.config).toMatchObject({ paradigm: 'supervised', epochs: 2, seed: 3 });
    expect(run.team.name).toBe('Command line');
    expect(run.project.name).toBe('Command line');
    expect(run.createdBy?.email).toBe('cli@deepboard.local');
    expect(run.datasetVersion).toMatchObject({ labelColumn: 'approved', sensitiveColumns: ['group'], rowCount: 600 });
    expect(run.architectureVersion?.architecture.name).toBe('mlp-classifier (loans)');
    const series = await client.metricSeries.findMany({ where: { runId: run.id } });
    const find = (key: string, context: string) => series.find((s) => s.key === key && s.context === context);
    expect(find('loss', 'train')?.count).toBe(2);
    expect(find('loss', 'validation')?.count).toBe(2);
    expect(find('accuracy', 'test')?.last).toBeCloseTo(ev.accuracy, 10);
    expect(find('roc_auc', 'test')?.last).toBeCloseTo(ev.rocAuc, 10);
    // The in-process worker registered, and stopped with the command.
    expect(await client.worker.count({ where: { status: 'ONLINE' } })).toBe(0);
    expect(await client.worker.count({ where: { status: 'STOPPED' } })).toBe(1);

    // The same command again reuses the dataset version and the architecture: a comparable run.
    const again = await cli(['--arch', 'mlp-classifier', '--csv', 'loans.csv', '--label', 'approved', '--sensitive', 'group', '--epochs', '1', '--seed', '3']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Run #2 SUCCEEDED in [\d.]+ s on \w+, 1 of 1 epochs\nTest set \(\d+ examples\):\n {2}accuracy {2}[01]\.\d{4}\n/);
    expect(again.stdout).toMatch(/ROC AUC/);
    expect(again.stderr).toMatch(/dataset loans v1 \(reused\)/);
    expect(again.stderr).toMatch(/architecture mlp-classifier \(loans\) v1 \(reused\)/);
    expect(await client.dataset.count()).toBe(1);
    expect(await client.architectureVersion.count()).toBe(1);
  });

  it('exits with 1 and the run’s error when the run fails', async () => {
    const lines = ['x1,x2,y'];
    for (let i = 0; i < 200; i++) lines.push(`${i % 17},${(i * 7) % 23},${((i % 17) * 3 + ((i * 7) % 23)).toFixed(1)}`);
    await writeFile(path.join(dir, 'sums.csv'), lines.join('\n'));
    const res = await cli(['--arch', 'mlp-regressor', '--csv', 'sums.csv', '--label', 'y', '--lr', '1e30', '--epochs', '3', '--json']);
    expect(res.code).toBe(1);
    const out = JSON.parse(res.stdout);
    expect(out.status).toBe('FAILED');
    expect(out.error).toMatch(/epoch \d+, step \d+/);
    expect(out.evaluation).toBeNull();
    expect(res.stderr.trim()).toMatch(/^deepboard: run #\d+ failed: .*epoch \d+, step \d+/);
    expect((await client.run.findUniqueOrThrow({ where: { id: out.runId } })).status).toBe('FAILED');
  });

  it.each([
    ['no --csv', ['--arch', 'mlp-classifier', '--label', 'approved'], /^deepboard: missing --csv; usage: deepboard train /],
    ['an unknown template', ['--arch', 'mlp-classifire', '--csv', 'loans.csv', '--label', 'approved'], /^deepboard: unknown template 'mlp-classifire' .*mlp-classifier/],
    [
      'an unknown label column',
      ['--arch', 'mlp-classifier', '--csv', 'loans.csv', '--label', 'aproved'],
      /^deepboard: unknown column 'aproved' in --label; the columns of loans.csv are: x1, x2, colour, group, approved$/,
    ],
    ['an unknown sensitive column', ['--arch', 'mlp-classifier', '--csv', 'loans.csv', '--label', 'approved', '--sensitive', 'group,sex'], /^deepboard: unknown column 'sex' in --sensitive/],
    ['a missing CSV file', ['--arch', 'mlp-classifier', '--csv', 'nope.csv', '--label', 'approved'], /^deepboard: cannot read nope.csv: no such file$/],
    ['a ragged CSV', ['--arch', 'mlp-classifier', '--csv', 'ragged.csv', '--label', 'label'], /^deepboard: ragged.csv: line 4: .*3.*2/],
    [
      'an architecture file whose input does not fit',
      ['--arch', 'small-net.json', '--csv', 'loans.csv', '--label', 'approved'],
      /^deepboard: small-net.json does not fit loans.csv: the architecture takes inputs of shape \[3\] but the dataset's examples are \[\d+\]/,
    ],
    ['a bad --epochs', ['--arch', 'mlp-classifier', '--csv', 'loans.csv', '--label', 'approved', '--epochs', 'ten'], /^deepboard: --epochs must be a whole number/],
    ['an unknown team', ['--arch', 'mlp-classifier', '--csv', 'loans.csv', '--label', 'approved', '--team', 'nobody'], /^deepboard: no team 'nobody' \(--team\)/],
  ])('exits with 2 and one line for %s', async (_what, args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('queues nothing for bad input', async () => {
    // Every refused command above left no run behind (the first two tests made three).
    expect(await client.run.count()).toBe(3);
  });
});
