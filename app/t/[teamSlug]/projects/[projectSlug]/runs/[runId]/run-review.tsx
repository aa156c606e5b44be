'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CheckCircle2, CircleDot, FileText, MessageSquare, X } from 'lucide-react';
import Link from 'next/link';
import { useMemo, useState, type ReactNode } from 'react';
import { REVIEW_STATE_LABELS, type ReviewState } from '@/lib/reviews/state';
import { hasRole } from '@/lib/roles';
import { VERDICT_LABELS, type CommentAnchor, type Verdict } from '@/lib/schemas/reviews';
import type { Role } from '@/lib/schemas/teams';
import type { RouterOutputs } from '@/server/api/root';
import { Markdown } from '../../../../../../_components/markdown';
import { CommentAnchorProvider, anchorId, anchorLabel, useCommentAnchors } from '../../../../../../_components/reviews/comment-anchors';
import { Alert, Badge, Button, Card, CardHeader, cn } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';

/**
 * The run's review: requesting a review from members, the reviewers' decisions (stale ones
 * marked), deciding, and the comment threads anchored to report sections.
 */

type Review = RouterOutputs['reviews']['ofRun'][number];
type Thread = RouterOutputs['comments']['list'][number];
export interface Me {
  id: string;
  role: Role;
}

const STATE_TONE: Record<ReviewState, 'slate' | 'green' | 'amber' | 'red' | 'brand'> = { pending: 'brand', approved: 'green', changes_requested: 'amber', rejected: 'red', closed: 'slate' };
const VERDICT_TONE: Record<Verdict, 'green' | 'amber' | 'red'> = { APPROVE: 'green', REQUEST_CHANGES: 'amber', REJECT: 'red' };
const when = (d: Date) => new Date(d).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** Provides comment counts per report anchor to the report's comment buttons. */
export function RunDiscussion({ teamId, runId, children }: { teamId: string; runId: string; children: ReactNode }) {
  const trpc = useTRPC();
  const comments = useQuery(trpc.comments.list.queryOptions({ teamId, runId }));
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const t of comments.data ?? []) if (!t.resolved) m.set(anchorId(t.anchor), (m.get(anchorId(t.anchor)) ?? 0) + 1 + t.replies.length);
    return m;
  }, [comments.data]);
  return <CommentAnchorProvider counts={counts}>{children}</CommentAnchorProvider>;
}

export function RunReview({
  teamId,
  runId,
  me,
  runAuthorId,
  reviewable,
  modelCardHref,
}: {
  teamId: string;
  runId: string;
  me: Me;
  runAuthorId: string | null;
  reviewable: boolean;
  modelCardHref: string;
}) {
  const trpc = useTRPC();
  const reviews = useQuery(trpc.reviews.ofRun.queryOptions({ teamId, runId }));
  return (
    <Card className="mb-5 scroll-mt-6" id="review" data-testid="review-panel">
      <CardHeader
        title="Review"
        description="Ask teammates to review this run's reports before it ships. Decisions are pinned to the checkpoint, dataset version and report they were made on."
        actions={
          <Link href={modelCardHref} className="inline-flex items-center gap-1 whitespace-nowrap text-sm text-brand-700 hover:underline">
            <FileText className="h-4 w-4" /> Model card
          </Link>
        }
      />
      <div className="space-y-5 p-5">
        {(reviews.data ?? []).map((r) => (
          <ReviewItem key={r.id} review={r} teamId={teamId} runId={runId} me={me} />
        ))}
        {reviews.data && reviews.data.length === 0 ? <p className="text-sm text-slate-500">No review requested yet.</p> : null}
        {reviewable && hasRole(me.role, 'MEMBER') ? <RequestReview teamId={teamId} runId={runId} me={me} runAuthorId={runAuthorId} /> : null}
        <Comments teamId={teamId} runId={runId} me={me} />
      </div>
    </Card>
  );
}

function RequestReview({ teamId, runId, me, runAuthorId }: { teamId: string; runId: string; me: Me; runAuthorId: string | null }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<string[]>([]);
  const [message, setMessage] = useState('');
  const members = useQuery({ ...trpc.reviews.candidates.queryOptions({ teamId }), enabled: open });
  const request = useMutation(
    trpc.reviews.request.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        setChosen([]);
        setMessage('');
        void qc.invalidateQueries({ queryKey: trpc.reviews.ofRun.queryKey({ teamId, runId }) });
      },
    }),
  );
  if (!open) {
    return (
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)}>
        Request review
      </Button>
    );
  }
  const eligible = (members.data ?? []).filter((m) => m.userId !== me.id && m.userId !== runAuthorId && m.role !== 'VIEWER');
  return (
    <form
      className="space-y-3 rounded-md border border-slate-200 p-4"
      data-testid="request-review-form"
      onSubmit={(e) => {
        e.preventDefault();
        request.mutate({ teamId, runIds: [runId], reviewerIds: chosen, message });
      }}
    >
      <fieldset>
        <legend className="mb-1 text-sm font-medium">Reviewers</legend>
        {eligible.length === 0 && members.data ? <p className="text-sm text-slate-500">No other member can review this run (viewers and the run's author cannot).</p> : null}
        <div className="flex flex-wrap gap-3">
          {eligible.map((m) => (
            <label key={m.userId} className="flex items-center gap-1.5 text-sm">
              <input type="checkbox" checked={chosen.includes(m.userId)} onChange={(e) => setChosen((c) => (e.target.checked ? [...c, m.userId] : c.filter((x) => x !== m.userId)))} />
              {m.name} <span className="text-xs text-slate-400">{m.email}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <label className="block text-sm">
        <span className="mb-1 block font-medium">Message (optional)</span>
        <textarea
          className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          rows={2}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          placeholder="What should reviewers look at?"
        />
      </label>
      {request.error ? <Alert>{request.error.message}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" size="sm" disabled={request.isPending || chosen.length === 0}>
          Send review request
        </Button>
        <Button type="button" variant="ghost" size="sm" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function ReviewItem({ review, teamId, runId, me }: { review: Review; teamId: string; runId: string; me: Me }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const run = review.runs.find((r) => r.id === runId) ?? review.runs[0]!;
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.reviews.ofRun.queryKey({ teamId, runId }) });
    void qc.invalidateQueries({ queryKey: trpc.reviews.pending.queryKey({ teamId }) });
  };
  const [justification, setJustification] = useState('');
  const decide = useMutation(trpc.reviews.decide.mutationOptions({ onSuccess: () => (setJustification(''), refresh()) }));
  const setOpen = useMutation(trpc.reviews.setOpen.mutationOptions({ onSuccess: refresh }));
  const requested = review.reviewers.some((r) => r.id === me.id);
  const mayDecide = review.open && hasRole(me.role, 'MEMBER') && (requested || hasRole(me.role, 'ADMIN')) && review.author?.id !== me.id && !review.runs.some((r) => r.authorId === me.id);
  const policyFails = review.runs.some((r) => r.gates.status === 'fail' || r.gates.status === 'undefined');
  const decided = review.runs.every((r) => r.decisions.some((d) => d.reviewerId === me.id && !d.stale));
  return (
    <div className="rounded-md border border-slate-200" data-testid="review-item">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-4 py-2.5">
        <div className="min-w-0">
          <span className="font-medium">{review.title}</span>{' '}
          <span data-testid="review-state">
            <Badge tone={STATE_TONE[review.state]}>{REVIEW_STATE_LABELS[review.state]}</Badge>
          </span>
          {run.staleApprovals ? (
            <span className="ml-1">
              <Badge tone="amber">approval stale</Badge>
            </span>
          ) : null}
          <p className="text-xs text-slate-500">
            requested by {review.author?.name ?? 'deleted user'} · {when(review.createdAt)} · reviewers{' '}
            {review.reviewers.map((r, i) => (
              <span key={r.id}>
                {i ? ', ' : ''}
                {r.name}
                {r.awaiting ? ' (awaiting)' : ''}
              </span>
            ))}
          </p>
        </div>
        {(review.author?.id === me.id || hasRole(me.role, 'ADMIN')) && hasRole(me.role, 'MEMBER') ? (
          <Button variant="ghost" size="sm" disabled={setOpen.isPending} onClick={() => setOpen.mutate({ teamId, reviewId: review.id, open: !review.open })}>
            {review.open ? 'Close review' : 'Reopen'}
          </Button>
        ) : null}
      </div>
      {review.message ? <Markdown source={review.message} className="border-b border-slate-100 px-4 py-2 text-slate-700" /> : null}
      <ul className="divide-y divide-slate-100" data-testid="decisions">
        {run.decisions.map((d) => (
          <li key={d.id} className={cn('px-4 py-2 text-sm', d.stale && 'bg-amber-50/60')} data-testid="decision">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">{d.reviewer}</span>
              <Badge tone={d.stale ? 'slate' : VERDICT_TONE[d.verdict]}>{VERDICT_LABELS[d.verdict]}</Badge>
              {d.stale ? (
                <span data-testid="stale-marker" title="Made on an older checkpoint, dataset version or report">
                  <Badge tone="amber">stale: {d.staleReasons.join(', ')}</Badge>
                </span>
              ) : null}
              <span className="text-xs text-slate-400">{when(d.createdAt)}</span>
              {d.gateStatus === 'fail' ? <span className="text-xs text-amber-700">policy failing when decided</span> : null}
            </div>
            {d.justification ? <Markdown source={d.justification} className="mt-1 text-slate-700" /> : null}
          </li>
        ))}
      </ul>
      {mayDecide ? (
        <form
          className="space-y-2 border-t border-slate-100 px-4 py-3"
          data-testid="decision-form"
          onSubmit={(e) => {
            e.preventDefault();
            const verdict = ((e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null)?.value as Verdict;
            decide.mutate({ teamId, reviewId: review.id, verdict, justification });
          }}
        >
          <label className="block text-sm">
            {decided ? <span className="mb-1 block text-xs text-slate-500">You have decided on the current checkpoint and report; a new decision replaces yours.</span> : null}
            <span className="mb-1 block font-medium">Justification{policyFails ? ' (required: this run fails the team’s fairness policy)' : ' (optional)'}</span>
            <textarea
              aria-label="Justification"
              className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
              rows={2}
              value={justification}
              onChange={(e) => setJustification(e.target.value)}
              placeholder={policyFails ? `Why is this acceptable despite: ${run.gates.failed.join('; ')}?` : 'Markdown welcome'}
            />
          </label>
          {decide.error ? <Alert>{decide.error.message}</Alert> : null}
          <div className="flex flex-wrap gap-2">
            <Button type="submit" size="sm" name="verdict" value="APPROVE" disabled={decide.isPending}>
              Approve
            </Button>
            <Button type="submit" size="sm" variant="secondary" name="verdict" value="REQUEST_CHANGES" disabled={decide.isPending}>
              Request changes
            </Button>
            <Button type="submit" size="sm" variant="danger" name="verdict" value="REJECT" disabled={decide.isPending}>
              Reject
            </Button>
          </div>
        </form>
      ) : review.open && requested && me.role === 'VIEWER' ? (
        <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">Viewers can comment but not decide.</p>
      ) : null}
    </div>
  );
}

function Comments({ teamId, runId, me }: { teamId: string; runId: string; me: Me }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const anchors = useCommentAnchors();
  const threads = useQuery(trpc.comments.list.queryOptions({ teamId, runId }));
  const [body, setBody] = useState('');
  const [showResolved, setShowResolved] = useState(false);
  const refresh = () => void qc.invalidateQueries({ queryKey: trpc.comments.list.queryKey({ teamId, runId }) });
  const add = useMutation(trpc.comments.add.mutationOptions({ onSuccess: () => (setBody(''), anchors?.clear(), refresh()) }));
  const anchor: CommentAnchor = anchors?.draft ?? { kind: 'general', key: '' };
  const visible = (threads.data ?? []).filter((t) => showResolved || !t.resolved);
  const resolvedCount = (threads.data ?? []).filter((t) => t.resolved).length;
  return (
    <section className="space-y-3" data-testid="comments">
      <h3 className="flex items-center gap-1.5 text-sm font-semibold">
        <MessageSquare className="h-4 w-4" /> Comments
        {resolvedCount ? (
          <button type="button" className="ml-auto text-xs font-normal text-brand-700 hover:underline" onClick={() => setShowResolved((v) => !v)}>
            {showResolved ? 'Hide' : 'Show'} {resolvedCount} resolved
          </button>
        ) : null}
      </h3>
      {visible.map((t) => (
        <ThreadView key={t.id} thread={t} teamId={teamId} runId={runId} me={me} onChange={refresh} />
      ))}
      <form
        id="comment-composer"
        className="space-y-2 rounded-md border border-slate-200 p-3"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ teamId, runId, anchor, body });
        }}
      >
        <div className="flex items-center gap-2 text-xs text-slate-500">
          On{' '}
          <span data-testid="composer-anchor">
            <Badge tone={anchor.kind === 'general' ? 'slate' : 'brand'}>{anchorLabel(anchor)}</Badge>
          </span>
          {anchor.kind !== 'general' ? (
            <button type="button" aria-label="Comment on the whole run instead" className="text-slate-400 hover:text-slate-700" onClick={() => anchors?.clear()}>
              <X className="h-3.5 w-3.5" />
            </button>
          ) : (
            <span>— or use the comment buttons beside groups, disparities, the threshold chart and attributions</span>
          )}
        </div>
        <textarea
          id="comment-body"
          aria-label="Comment"
          className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          rows={3}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          placeholder="Markdown; mention teammates with @Full Name or @e-mail"
        />
        {add.error ? <Alert>{add.error.message}</Alert> : null}
        <Button type="submit" size="sm" disabled={add.isPending || !body.trim()}>
          Comment
        </Button>
      </form>
    </section>
  );
}

function ThreadView({ thread, teamId, runId, me, onChange }: { thread: Thread; teamId: string; runId: string; me: Me; onChange: () => void }) {
  const trpc = useTRPC();
  const [reply, setReply] = useState('');
  const [replying, setReplying] = useState(false);
  const add = useMutation(trpc.comments.add.mutationOptions({ onSuccess: () => (setReply(''), setReplying(false), onChange()) }));
  const resolve = useMutation(trpc.comments.setResolved.mutationOptions({ onSuccess: onChange }));
  const mayResolve = hasRole(me.role, 'MEMBER') || thread.author.id === me.id;
  return (
    <div id={`comment-${thread.id}`} className={cn('rounded-md border border-slate-200', thread.resolved && 'opacity-70')} data-testid="comment-thread">
      <div className="flex items-center justify-between gap-2 border-b border-slate-100 px-3 py-1.5 text-xs">
        <Badge tone={thread.anchor.kind === 'general' ? 'slate' : 'brand'}>{anchorLabel(thread.anchor)}</Badge>
        <span className="flex items-center gap-2">
          {thread.resolved ? (
            <span className="inline-flex items-center gap-1 text-emerald-700">
              <CheckCircle2 className="h-3.5 w-3.5" /> resolved by {thread.resolvedBy}
            </span>
          ) : (
            <span className="inline-flex items-center gap-1 text-slate-500">
              <CircleDot className="h-3.5 w-3.5" /> open
            </span>
          )}
          {mayResolve ? (
            <button type="button" className="text-brand-700 hover:underline" disabled={resolve.isPending} onClick={() => resolve.mutate({ teamId, commentId: thread.id, resolved: !thread.resolved })}>
              {thread.resolved ? 'Reopen' : 'Resolve'}
            </button>
          ) : null}
        </span>
      </div>
      {[thread, ...thread.replies].map((c, i) => (
        <div key={c.id} className={cn('px-3 py-2', i > 0 && 'ml-5 border-l-2 border-slate-100')} data-testid={i === 0 ? 'comment' : 'comment-reply'}>
          <p className="text-xs text-slate-500">
            <span className="font-medium text-slate-700">{c.author.name}</span> · {when(c.createdAt)}
          </p>
          <Markdown source={c.body} mentions={c.mentions} />
        </div>
      ))}
      <div className="px-3 pb-2">
        {replying ? (
          <form
            className="space-y-2"
            onSubmit={(e) => {
              e.preventDefault();
              add.mutate({ teamId, runId, parentId: thread.id, body: reply });
            }}
          >
            <textarea aria-label="Reply" className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm" rows={2} value={reply} onChange={(e) => setReply(e.target.value)} autoFocus />
            {add.error ? <Alert>{add.error.message}</Alert> : null}
            <div className="flex gap-2">
              <Button type="submit" size="sm" disabled={add.isPending || !reply.trim()}>
                Reply
              </Button>
              <Button type="button" variant="ghost" size="sm" onClick={() => setReplying(false)}>
                Cancel
              </Button>
            </div>
          </form>
        ) : (
          <button type="button" className="text-xs text-brand-700 hover:underline" onClick={() => setReplying(true)}>
            Reply
          </button>
        )}
      </div>
    </div>
  );
}
