import { z } from 'zod';

/** Reviews of runs' fairness reports: requests, decisions, comments, model cards, audit queries. */

export const REVIEW_VERDICTS = ['APPROVE', 'REQUEST_CHANGES', 'REJECT'] as const;
export const ZVerdict = z.enum(REVIEW_VERDICTS);
export type Verdict = z.infer<typeof ZVerdict>;

export const VERDICT_LABELS: Record<Verdict, string> = { APPROVE: 'Approved', REQUEST_CHANGES: 'Changes requested', REJECT: 'Rejected' };

const id = (what: string) => z.string().min(1, `${what} is required`).max(64);

export const ZRequestReviewInput = z.object({
  runIds: z.array(id('Run')).min(1, 'Choose at least one run').max(20),
  reviewerIds: z.array(id('Reviewer')).min(1, 'Choose at least one reviewer').max(20),
  title: z.string().trim().max(200).optional(),
  message: z.string().trim().max(5000).default(''),
});
export type RequestReviewInput = z.input<typeof ZRequestReviewInput>;

export const ZReviewRef = z.object({ reviewId: id('Review') });

export const ZDecideInput = z.object({
  reviewId: id('Review'),
  /** The runs of the review this decision covers; all of them when omitted. */
  runIds: z.array(id('Run')).min(1).max(20).optional(),
  verdict: ZVerdict,
  justification: z.string().trim().max(5000).default(''),
});
export type DecideInput = z.input<typeof ZDecideInput>;

export const COMMENT_ANCHOR_KINDS = ['group-row', 'disparity', 'chart', 'attribution', 'general'] as const;
export const ZCommentAnchor = z.object({ kind: z.enum(COMMENT_ANCHOR_KINDS), key: z.string().trim().max(300).default('') });
export type CommentAnchor = z.infer<typeof ZCommentAnchor>;

export const ZAddCommentInput = z.object({
  runId: id('Run'),
  anchor: ZCommentAnchor.default({ kind: 'general', key: '' }),
  body: z.string().trim().min(1, 'Write a comment first').max(10_000, 'A comment is at most 10 000 characters'),
  /** Reply to this comment's thread. */
  parentId: id('Parent comment').optional(),
});
export type AddCommentInput = z.input<typeof ZAddCommentInput>;

export const ZResolveCommentInput = z.object({ commentId: id('Comment'), resolved: z.boolean() });

export const ZRunRef = z.object({ runId: id('Run') });

export const ZAuditQuery = z.object({
  actorId: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  /** Inclusive bounds (ISO dates or date-times). */
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** The id of the last event of the previous page. */
  cursor: z.string().regex(/^\d+$/, 'cursor must be an event id').optional(),
  limit: z.int().min(1).max(200).default(50),
});
export type AuditQuery = z.input<typeof ZAuditQuery>;

const cardText = z.string().max(20_000, 'At most 20 000 characters');
export const ZModelCardInput = z.object({
  runId: id('Run'),
  intendedUse: cardText.optional(),
  outOfScope: cardText.optional(),
  ethical: cardText.optional(),
  caveats: cardText.optional(),
});
export type ModelCardInput = z.input<typeof ZModelCardInput>;

export const ZNotificationsRead = z.object({ ids: z.array(id('Notification')).max(200).optional() });
