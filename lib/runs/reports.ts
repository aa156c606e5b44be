/**
 * The one reader of a run's documents: its evaluation row (or a checkpoint's reports row), the
 * fairness and explainability reports they reference in the artifact store, what gates read,
 * and the content hash that review decisions pin. Every page, service, REST handler and CLI
 * command that shows a report goes through here, so none re-types the stored JSON.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ArtifactStore } from '@/lib/artifacts/store';
import { gateInputOf, type GateInput } from '@/lib/fairness/gates';
import {
  describeDocumentIssue,
  reportRefsOf,
  ZCheckpointReports,
  ZEvaluation,
  ZExplainReport,
  ZFairnessReport,
  type CheckpointReports,
  type ExplainReport,
  type FairnessRunReport,
  type ReportRefs,
  type RunEvaluation,
} from '@/lib/schemas/run-documents';

type Parsed<T> = { value: T | null; problem: string | null };

function parseDocument<T>(schema: z.ZodType<T>, raw: unknown, what: string): Parsed<T> {
  if (raw === null || raw === undefined) return { value: null, problem: null };
  const parsed = schema.safeParse(raw);
  return parsed.success ? { value: parsed.data, problem: null } : { value: null, problem: describeDocumentIssue(what, parsed.error) };
}

/** `Run.evaluation` as stored (null when the run has none or it does not parse; `problem` says why). */
export const parseEvaluation = (raw: unknown): Parsed<RunEvaluation> => parseDocument(ZEvaluation, raw, 'evaluation');
/** `Checkpoint.reports` as stored. */
export const parseCheckpointReports = (raw: unknown): Parsed<CheckpointReports> => parseDocument(ZCheckpointReports, raw, 'checkpoint reports');
export const parseFairnessReport = (raw: unknown): Parsed<FairnessRunReport> => parseDocument(ZFairnessReport, raw, 'fairness report');
export const parseExplainReport = (raw: unknown): Parsed<ExplainReport> => parseDocument(ZExplainReport, raw, 'explainability report');

// The pinned hash depends on the keys alone: read them even from a row whose other fields do not parse.
const ZKeys = z.object({ fairness: z.object({ key: z.string() }).optional().catch(undefined), explain: z.object({ key: z.string() }).optional().catch(undefined) }).catch({});

/** The gate input a row carries (written by the report step), else one derived from a binary report. */
export function gateInputOfReports(refs: ReportRefs, fairness: FairnessRunReport | null): GateInput | null {
  if (refs.fairness?.gates) return refs.fairness.gates;
  return fairness?.task === 'binary' ? gateInputOf(fairness.report) : null;
}

export interface RunReports {
  /** The run's evaluation (null for a checkpoint's reports, or none stored). */
  evaluation: RunEvaluation | null;
  /** The checkpoint's reports row, when loaded for a checkpoint. */
  checkpoint: CheckpointReports | null;
  refs: ReportRefs;
  fairness: FairnessRunReport | null;
  /** Null when absent, or when not asked for (`explain: false`). */
  explain: ExplainReport | null;
  gateInput: GateInput | null;
  /** SHA-256 over both report files (null: none referenced) and the fairness report's key: what review decisions pin. */
  hashes: { reportHash: string | null; reportKey: string | null };
  /** Stored documents that did not parse, one line each (they read as absent). */
  problems: string[];
}

export type ReportSource = { evaluation: unknown } | { checkpointReports: unknown };

/**
 * Loads a run's (or a checkpoint's) documents. A missing or unreadable file reads as absent, as
 * a document that fails its schema does (listed in `problems` and logged), so a page never
 * fails on an old or damaged document.
 */
export async function loadRunReports(source: ReportSource, opts: { store?: Pick<ArtifactStore, 'get'>; explain?: boolean; log?: (line: string) => void } = {}): Promise<RunReports> {
  const problems: string[] = [];
  const note = <T>(p: Parsed<T>): T | null => {
    if (p.problem) problems.push(p.problem);
    return p.value;
  };
  const raw = 'evaluation' in source ? source.evaluation : source.checkpointReports;
  const evaluation = 'evaluation' in source ? note(parseEvaluation(raw)) : null;
  const checkpoint = 'checkpointReports' in source ? note(parseCheckpointReports(raw)) : null;
  const refs = reportRefsOf(evaluation ?? checkpoint);
  const keys = evaluation || checkpoint ? { fairness: refs.fairness?.key, explain: refs.explain?.key } : { fairness: ZKeys.parse(raw).fairness?.key, explain: ZKeys.parse(raw).explain?.key };
  const empty = { evaluation, checkpoint, refs, fairness: null, explain: null, gateInput: gateInputOfReports(refs, null) };
  if (!keys.fairness && !keys.explain) return { ...empty, hashes: { reportHash: null, reportKey: null }, problems: report(problems, opts.log) };

  const store = opts.store ?? (await import('@/lib/artifacts/store')).artifactStore();
  // The hash is the one reviews have pinned since they existed: change it and every decision goes stale.
  const h = createHash('sha256');
  const bytes: (Buffer | null)[] = [];
  for (const [i, key] of [keys.fairness, keys.explain].entries()) {
    h.update(`${i === 0 ? 'fairness' : 'explain'}:${key ?? ''}\n`);
    bytes.push(null);
    if (!key) continue;
    const b = await store.get(key).catch(() => null);
    if (b) {
      h.update(b);
      bytes[i] = b;
    }
    h.update('\n');
  }
  const json = (b: Buffer | null, what: string): unknown => {
    if (!b) return null;
    try {
      return JSON.parse(b.toString()) as unknown;
    } catch {
      problems.push(`${what}: not JSON`);
      return null;
    }
  };
  const fairness = note(parseFairnessReport(json(bytes[0]!, 'fairness report')));
  const explain = opts.explain === false ? null : note(parseExplainReport(json(bytes[1]!, 'explainability report')));
  return {
    ...empty,
    fairness,
    explain,
    gateInput: gateInputOfReports(refs, fairness),
    hashes: { reportHash: h.digest('hex'), reportKey: keys.fairness ?? null },
    problems: report(problems, opts.log),
  };
}

function report(problems: string[], log: ((line: string) => void) | undefined): string[] {
  for (const p of problems) (log ?? ((line: string) => console.warn(`stored document skipped: ${line}`)))(p);
  return problems;
}
