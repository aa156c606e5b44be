/**
 * `deepboard train --arch (FILE.json | TEMPLATE) --csv FILE --label COL …`: imports a CSV as a
 * dataset version and an architecture, queues a supervised run through the same services as the
 * web app, lets a worker train it (one in this process when none is online), waits, and prints
 * the test-set evaluation. Exit code 0 when the run succeeded, 1 when it failed or was canceled,
 * 2 (one line) for bad usage or input that cannot train: unknown option, template, file or
 * column, a malformed CSV (the message names the line), an architecture that does not fit.
 *
 * Where things go: the database is DATABASE_URL, else the running embedded database (one is
 * started, and stopped again, when none runs). The team is --team, else DEEPBOARD_TEAM, else the
 * first team created (the demo team after `npm start`'s first start), else a new team "Command
 * line" owned by cli@deepboard.local; the project is --project, else "Command line" (created when
 * missing). Everything is attributed to the team's first owner and tagged `cli`, so it shows up
 * in the web app like anything made there.
 *
 * Names and reuse, so that repeated commands make comparable runs rather than piles of copies:
 * - the dataset is named after the CSV file ("adult.csv" → "adult"). When the project has one of
 *   that name with a version of the same bytes, label, sensitive columns and split (seed), that
 *   version is reused; otherwise the file becomes the dataset's next version.
 * - the architecture is named after the file ("net.json" → "net"), or "TEMPLATE (dataset)" for a
 *   template, which is built for the dataset's encoded feature count and task. A version with
 *   the identical spec is reused; a new spec is saved as the next version; a name held by an
 *   architecture of another kind gets a numeric suffix.
 * The dataset is imported before the architecture is checked against it (the check needs its
 * encoded feature count), so an architecture that does not fit leaves the dataset version behind,
 * to be reused by the next attempt.
 *
 * Defaults (not tuned to any dataset): a 70/15/15 split stratified by the label (and by the
 * sensitive columns when given) seeded with --seed (42); Adam at --lr 1e-3, --batch-size 32,
 * --epochs 20 at most with early stopping on the validation loss (patience 5) that restores the
 * best epoch's weights, so the evaluated model is the best one seen rather than the last.
 * Sensitive columns are kept out of the model's inputs (the dataset default); the fairness
 * reports still group by them.
 *
 * --json prints one object on stdout (progress goes to stderr only without --json):
 *   {
 *     runId: string, runNumber: number, name: string,
 *     status: 'SUCCEEDED' | 'FAILED' | 'CANCELED',
 *     error: string | null,                 // the run's error when it failed
 *     backend: string | null,               // TensorFlow.js backend that trained it (wasm, cpu, …)
 *     device: string | null,
 *     durationSeconds: number | null,       // started → finished, on the worker
 *     url: string,                          // the run's page, relative to the web app
 *     team: { slug: string }, project: { slug: string },
 *     worker: 'in-process' | 'existing',    // who trained it
 *     dataset: { id, name, version, reused: boolean, rows, features, split: { train, validation, test } },
 *     architecture: { id, name, version, reused: boolean, source: 'template' | 'file', totalParams },
 *     config: { epochs, batchSize, learningRate, seed },
 *     epochsRun: number | null,             // less than epochs after early stopping
 *     stopReason: string | null,            // e.g. 'completed', 'early-stopping'
 *     evaluation: null                      // the test split; null unless SUCCEEDED
 *       | { task: 'binary' | 'multiclass', testExamples, classNames: string[], accuracy,
 *           precision, recall, f1,          // macro averages
 *           rocAuc: number | null,          // binary only
 *           confusion: number[][] }         // confusion[true][predicted], in classNames order
 *       | { task: 'regression', testExamples, mae, rmse, r2 }
 *   }
 */
import path from 'node:path';
import { settingsFrom } from '@/lib/env';
import type { RunConfigInput } from '@/lib/schemas/runs';
import { createRun } from '../../services/runs';
import { countOnlineWorkers } from '../../services/workers';
import { asUsage } from '../shared/architectures';
import { openDatabase, startInProcessWorker } from '../shared/database';
import { resolvePlace } from '../shared/place';
import { waitForRun } from '../shared/wait-for-run';
import type { CliCommand, CliIO } from '../types';
import { checkCsvColumns, parseTrainArgs, readArchSource, TRAIN_DEFAULTS, USAGE, type ArchSource, type TrainArgs } from './train/args';
import { importArchitecture, importDataset, specFor } from './train/inputs';
import { formatTrainReport, int, summarizeEvaluation, type TrainReport } from './train/output';

async function train(args: TrainArgs, arch: ArchSource, csvFile: string, io: CliIO): Promise<number> {
  const echo = args.json ? null : (line: string) => io.stderr(line);
  const db = await openDatabase((l) => io.stderr(l));
  let worker: Awaited<ReturnType<typeof startInProcessWorker>> | null = null;
  try {
    const place = await resolvePlace(args, io.env);
    const data = await importDataset(args, csvFile, place);
    const { spec, summary } = specFor(arch, data, args);
    const architecture = await importArchitecture(arch, spec, summary, data, place);
    echo?.(
      `dataset ${data.name} v${data.version}${data.reused ? ' (reused)' : ''}: ${int(data.rows)} rows, ${data.shape.inputShape.join('×')} encoded features, ` +
        `${int(data.split.train)} train / ${int(data.split.validation)} validation / ${int(data.split.test)} test`,
    );
    echo?.(`architecture ${architecture.name} v${architecture.version}${architecture.reused ? ' (reused)' : ''}: ${int(summary.totalParams)} parameters`);

    const config: RunConfigInput = {
      paradigm: 'supervised',
      epochs: args.epochs,
      batchSize: args.batchSize,
      learningRate: args.learningRate,
      seed: args.seed,
      earlyStopping: { monitor: 'val_loss', patience: TRAIN_DEFAULTS.patience, restoreBestWeights: true },
    };
    const online = await countOnlineWorkers();
    const created = await createRun({
      teamId: place.teamId,
      userId: place.userId,
      role: 'OWNER',
      input: { projectId: place.projectId, architectureId: architecture.id, architectureVersion: architecture.version, datasetId: data.id, datasetVersion: data.version, config, tags: ['cli'] },
    }).catch(asUsage(`${args.arch} on ${args.csv}`));
    if (online === 0) {
      echo?.('no worker is online: training in this process');
      worker = await startInProcessWorker(db.url, settingsFrom(io.env).DEEPBOARD_DEBUG ? (line) => io.stderr(`[worker] ${line}`) : undefined);
    }
    echo?.(`run #${created.number} queued: ${created.name}`);
    const run = await waitForRun(created.id, place, echo, () => worker?.failed() ?? null);
    const environment = (run.environment ?? {}) as { stopReason?: string };
    const progress = (run.progress ?? {}) as { epoch?: number };
    const report: TrainReport = {
      runId: run.id,
      runNumber: run.number,
      name: run.name,
      status: run.status as TrainReport['status'],
      error: run.error ?? (run.status === 'CANCELED' ? 'the run was canceled' : null),
      backend: run.backend,
      device: run.device,
      durationSeconds: run.startedAt && run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : null,
      url: `/t/${place.teamSlug}/projects/${place.projectSlug}/runs/${run.id}`,
      team: { slug: place.teamSlug },
      project: { slug: place.projectSlug },
      worker: worker ? 'in-process' : 'existing',
      dataset: { id: data.id, name: data.name, version: data.version, reused: data.reused, rows: data.rows, features: data.shape.inputShape.reduce((a, b) => a * b, 1), split: data.split },
      architecture,
      config: { epochs: args.epochs, batchSize: args.batchSize, learningRate: args.learningRate, seed: args.seed },
      epochsRun: typeof progress.epoch === 'number' ? progress.epoch : null,
      stopReason: environment.stopReason ?? null,
      evaluation: run.status === 'SUCCEEDED' ? summarizeEvaluation(run.evaluation) : null,
    };
    if (args.json) io.stdout(JSON.stringify(report, null, 2));
    else io.stdout(formatTrainReport(report));
    if (report.status !== 'SUCCEEDED' && args.json) io.stderr(`deepboard: run #${report.runNumber} ${report.status.toLowerCase()}: ${report.error ?? 'no error recorded'}`);
    return report.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await worker?.stop();
    await db.close();
  }
}

export const trainCommand: CliCommand = {
  path: ['train'],
  summary: 'Import a CSV and an architecture (file or template), train a run on a worker, and print its test-set evaluation',
  usage: USAGE,
  async run(argv, io) {
    const args = parseTrainArgs(argv);
    const arch = await readArchSource(args.arch, io.cwd);
    const csvFile = path.resolve(io.cwd, args.csv);
    await checkCsvColumns(args, csvFile);
    if (arch.source === 'file') for (const w of arch.warnings) io.stderr(`warning: ${w}`);
    return train(args, arch, csvFile, io);
  },
};
