/** What `deepboard train` prints: the report (text, or the --json object described in ../train.ts). */
import type { ArchResult, DatasetResult } from './inputs';
import { parseEvaluation } from '@/lib/runs/reports';
import { isSupervisedEvaluation } from '@/lib/schemas/run-documents';

export type TrainEvaluation =
  | {
      task: 'binary' | 'multiclass';
      testExamples: number;
      classNames: string[];
      accuracy: number;
      precision: number;
      recall: number;
      f1: number;
      rocAuc: number | null;
      confusion: number[][];
    }
  | { task: 'regression'; testExamples: number; mae: number; rmse: number; r2: number };

export interface TrainReport {
  runId: string;
  runNumber: number;
  name: string;
  status: 'SUCCEEDED' | 'FAILED' | 'CANCELED';
  error: string | null;
  backend: string | null;
  device: string | null;
  durationSeconds: number | null;
  url: string;
  team: { slug: string };
  project: { slug: string };
  worker: 'in-process' | 'existing';
  dataset: Omit<DatasetResult, 'shape'> & { features: number };
  architecture: ArchResult;
  config: { epochs: number; batchSize: number; learningRate: number; seed: number };
  epochsRun: number | null;
  stopReason: string | null;
  evaluation: TrainEvaluation | null;
}

export function summarizeEvaluation(raw: unknown): TrainEvaluation | null {
  const ev = parseEvaluation(raw).value;
  if (!isSupervisedEvaluation(ev)) return null;
  if (ev.task === 'regression') return { task: 'regression', testExamples: ev.testExamples ?? 0, mae: ev.report.mae, rmse: ev.report.rmse, r2: ev.report.r2 };
  const r = ev.report;
  return {
    task: ev.task,
    testExamples: ev.testExamples ?? 0,
    classNames: ev.classNames ?? [],
    accuracy: r.accuracy,
    precision: r.macro.precision,
    recall: r.macro.recall,
    f1: r.macro.f1,
    rocAuc: r.roc?.auc ?? null,
    confusion: r.confusion,
  };
}

const fixed = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
export const int = (n: number) => n.toLocaleString('en-US');

function formatEvaluation(ev: TrainEvaluation): string[] {
  const out = [`Test set (${int(ev.testExamples)} examples):`];
  if (ev.task === 'regression') {
    out.push(`  MAE       ${fixed(ev.mae)}`, `  RMSE      ${fixed(ev.rmse)}`, `  R²        ${fixed(ev.r2)}`);
    return out;
  }
  out.push(`  accuracy  ${fixed(ev.accuracy)}`);
  out.push(`  macro precision ${fixed(ev.precision)}, recall ${fixed(ev.recall)}, F1 ${fixed(ev.f1)}`);
  if (ev.rocAuc !== null) out.push(`  ROC AUC   ${fixed(ev.rocAuc)}`);
  const names = ev.classNames.length === ev.confusion.length ? ev.classNames : ev.confusion.map((_, i) => String(i));
  const width = Math.max(...names.map((n) => n.length), ...ev.confusion.flat().map((n) => String(n).length), 4);
  out.push('  confusion matrix (rows: true class, columns: predicted)');
  out.push(`  ${''.padEnd(width)}  ${names.map((n) => n.padStart(width)).join('  ')}`);
  ev.confusion.forEach((row, i) => out.push(`  ${names[i]!.padEnd(width)}  ${row.map((n) => String(n).padStart(width)).join('  ')}`));
  return out;
}

export function formatTrainReport(r: TrainReport): string {
  const out: string[] = [];
  const took = r.durationSeconds === null ? '' : ` in ${r.durationSeconds.toFixed(1)} s`;
  const epochs = r.epochsRun === null ? '' : `, ${r.epochsRun} of ${r.config.epochs} epochs${r.stopReason === 'early-stopping' ? ' (early stopping)' : ''}`;
  out.push(`Run #${r.runNumber} ${r.status}${took} on ${r.backend ?? 'no backend'}${epochs}`);
  if (r.error) out.push(`error: ${r.error}`);
  if (r.evaluation) out.push(...formatEvaluation(r.evaluation));
  out.push(`run ${r.runId}: ${r.url}`);
  return out.join('\n');
}
