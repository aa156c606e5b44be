import { describe, expect, it } from 'vitest';
import { awaitsReviewer, reviewState, runReviewState, staleReasons } from './state';

const pins = { checkpointId: 'c1', datasetVersionId: 'd1', reportHash: 'h1' };
let n = 0;
const d = (reviewerId: string, verdict: 'APPROVE' | 'REQUEST_CHANGES' | 'REJECT', over: Partial<typeof pins> = {}) => ({
  id: `d${++n}`,
  runId: 'r',
  reviewerId,
  verdict,
  createdAt: new Date(1000 * n),
  ...pins,
  ...over,
});

describe('review state machine', () => {
  it('is pending without decisions, approved with one fresh approval', () => {
    expect(runReviewState([], pins).state).toBe('pending');
    expect(runReviewState([d('a', 'APPROVE')], pins).state).toBe('approved');
  });

  it('ranks rejection over change requests over approvals; a reviewer’s latest decision counts', () => {
    expect(runReviewState([d('a', 'APPROVE'), d('b', 'REQUEST_CHANGES')], pins).state).toBe('changes_requested');
    expect(runReviewState([d('a', 'REJECT'), d('b', 'REQUEST_CHANGES')], pins).state).toBe('rejected');
    expect(runReviewState([d('a', 'REJECT'), d('a', 'APPROVE')], pins).state).toBe('approved');
  });

  it('marks decisions on an older checkpoint, dataset or report stale; they no longer count', () => {
    const s = runReviewState([d('a', 'APPROVE', { checkpointId: 'c0' })], pins);
    expect(s).toMatchObject({ state: 'pending', staleApprovals: true });
    expect(s.latest[0]).toMatchObject({ stale: true, staleReasons: ['new checkpoint'] });
    expect(staleReasons({ ...pins, reportHash: 'h0', datasetVersionId: 'd0' }, pins)).toEqual(['dataset version changed', 'report changed']);
    expect(runReviewState([d('a', 'REJECT', { reportHash: 'old' }), d('b', 'APPROVE')], pins).state).toBe('approved');
  });

  it('derives the review from its runs', () => {
    expect(reviewState(true, ['approved', 'approved'])).toBe('approved');
    expect(reviewState(true, ['approved', 'pending'])).toBe('pending');
    expect(reviewState(true, ['approved', 'rejected', 'changes_requested'])).toBe('rejected');
    expect(reviewState(false, ['approved'])).toBe('closed');
    expect(reviewState(true, [])).toBe('pending');
  });

  it('knows whom a review still waits for', () => {
    const runs = [{ latest: [{ reviewerId: 'a', stale: false }] }, { latest: [{ reviewerId: 'a', stale: true }] }];
    expect(awaitsReviewer('a', runs)).toBe(true);
    expect(awaitsReviewer('a', [runs[0]!])).toBe(false);
    expect(awaitsReviewer('b', [runs[0]!])).toBe(true);
  });
});
