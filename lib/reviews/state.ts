import type { Verdict } from '../schemas/reviews';

/**
 * The review state machine, pure. A decision is pinned to what the reviewer saw (the run's
 * latest checkpoint, its dataset version, the hash of its stored reports); when any of these
 * changes the decision is stale and no longer counts. Per run, each reviewer's latest fresh
 * decision counts: a rejection wins over a change request, which wins over approvals; one
 * fresh approval and no objection approve the run. A review is approved when all its runs are.
 */

export interface Pins {
  checkpointId: string | null;
  datasetVersionId: string | null;
  reportHash: string | null;
}

export interface DecisionLike extends Pins {
  id: string;
  runId: string;
  reviewerId: string | null;
  verdict: Verdict;
  createdAt: Date;
}

export type RunReviewState = 'pending' | 'approved' | 'changes_requested' | 'rejected';
export type ReviewState = RunReviewState | 'closed';

/** Why a decision no longer matches the run, in words; empty when it is fresh. */
export function staleReasons(decision: Pins, current: Pins): string[] {
  const reasons: string[] = [];
  if (decision.checkpointId !== current.checkpointId) reasons.push('new checkpoint');
  if (decision.datasetVersionId !== current.datasetVersionId) reasons.push('dataset version changed');
  if (decision.reportHash !== current.reportHash) reasons.push('report changed');
  return reasons;
}

export function runReviewState<D extends DecisionLike>(decisions: readonly D[], current: Pins) {
  // Each reviewer's latest decision (decisions by a deleted user count on their own).
  const latest = new Map<string, D>();
  for (const d of [...decisions].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) latest.set(d.reviewerId ?? `deleted:${d.id}`, d);
  const marked = [...latest.values()].map((d) => {
    const reasons = staleReasons(d, current);
    return { ...d, stale: reasons.length > 0, staleReasons: reasons };
  });
  const fresh = marked.filter((d) => !d.stale);
  const state: RunReviewState = fresh.some((d) => d.verdict === 'REJECT')
    ? 'rejected'
    : fresh.some((d) => d.verdict === 'REQUEST_CHANGES')
      ? 'changes_requested'
      : fresh.some((d) => d.verdict === 'APPROVE')
        ? 'approved'
        : 'pending';
  return { state, latest: marked, staleApprovals: marked.some((d) => d.stale && d.verdict === 'APPROVE') };
}

export function reviewState(open: boolean, runStates: readonly RunReviewState[]): ReviewState {
  if (!open) return 'closed';
  if (runStates.includes('rejected')) return 'rejected';
  if (runStates.includes('changes_requested')) return 'changes_requested';
  if (runStates.length > 0 && runStates.every((s) => s === 'approved')) return 'approved';
  return 'pending';
}

/** True when this reviewer still owes a fresh decision on some run of the review. */
export function awaitsReviewer(reviewerId: string, perRun: readonly { latest: readonly { reviewerId: string | null; stale: boolean }[] }[]): boolean {
  return perRun.some((r) => !r.latest.some((d) => d.reviewerId === reviewerId && !d.stale));
}

export const REVIEW_STATE_LABELS: Record<ReviewState, string> = {
  pending: 'Pending',
  approved: 'Approved',
  changes_requested: 'Changes requested',
  rejected: 'Rejected',
  closed: 'Closed',
};
