import { prisma } from '@/lib/db/client';
import { loadRunReports } from '@/lib/runs/reports';
import { awaitsReviewer, reviewState, runReviewState, type Pins } from '@/lib/reviews/state';
import { hasRole } from '@/lib/roles';
import { VERDICT_LABELS, ZDecideInput, ZRequestReviewInput, type DecideInput, type RequestReviewInput } from '@/lib/schemas/reviews';
import type { Role } from '@/lib/schemas/teams';
import { recordAudit } from './audit';
import { badRequest, forbidden, notFound } from './errors';
import { gradeRun, listGateRules, type RunGates } from './gates';
import { mailNotifications, notify, type NewNotification } from './notifications';

/**
 * Review requests on runs' fairness reports. Who decides: the requested reviewers, and admins
 * or owners of the team; never a viewer, never the author of a run (on that run), never the
 * member who requested the review. A decision is pinned to the run's latest checkpoint, its
 * dataset version and the SHA-256 of its stored reports, and is stale once any of these
 * changes (the hash is lib/runs/reports.ts's); the review's state is derived when read (lib/reviews/state.ts), never stored.
 * Approving, rejecting or requesting changes on a run that fails the team's fairness policy
 * needs a justification.
 */

type RunRow = {
  id: string;
  number: number;
  name: string;
  teamId: string;
  status: string;
  createdById: string | null;
  datasetVersionId: string | null;
  architectureVersionId: string | null;
  evaluation: unknown;
  project: { slug: string };
  team: { slug: string };
};

export function runPath(run: Pick<RunRow, 'id' | 'project' | 'team'>) {
  return `/t/${run.team.slug}/projects/${run.project.slug}/runs/${run.id}`;
}

export interface RunCurrent {
  run: RunRow;
  pins: Pins & { architectureVersionId: string | null; reportKey: string | null };
  gates: RunGates;
}

/** What each run looks like now: the pins a fresh decision must match, and its gate grade. */
export async function currentOfRuns(teamId: string, runIds: string[]): Promise<Map<string, RunCurrent>> {
  const runs = await prisma.run.findMany({
    where: { teamId, id: { in: runIds } },
    select: {
      id: true,
      number: true,
      name: true,
      teamId: true,
      status: true,
      createdById: true,
      datasetVersionId: true,
      architectureVersionId: true,
      evaluation: true,
      project: { select: { slug: true } },
      team: { select: { slug: true } },
    },
  });
  const rules = await listGateRules(teamId, { enabledOnly: true });
  const out = new Map<string, RunCurrent>();
  await Promise.all(
    runs.map(async (run) => {
      const [latest, reports] = await Promise.all([
        prisma.checkpoint.findFirst({ where: { runId: run.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], select: { id: true } }),
        loadRunReports({ evaluation: run.evaluation }, { explain: false }),
      ]);
      out.set(run.id, {
        run,
        pins: {
          checkpointId: latest?.id ?? null,
          datasetVersionId: run.datasetVersionId,
          reportHash: reports.hashes.reportHash,
          architectureVersionId: run.architectureVersionId,
          reportKey: reports.hashes.reportKey,
        },
        gates: gradeRun(rules, reports.gateInput),
      });
    }),
  );
  return out;
}

const failsPolicy = (g: RunGates) => g.status === 'fail' || g.status === 'undefined';

export async function requestReview(args: { teamId: string; actorId: string; actorRole: Role; input: RequestReviewInput }) {
  if (!hasRole(args.actorRole, 'MEMBER')) throw forbidden('Viewers can comment but not request reviews');
  const input = ZRequestReviewInput.parse(args.input);
  const runIds = [...new Set(input.runIds)];
  const reviewerIds = [...new Set(input.reviewerIds)];
  const runs = await prisma.run.findMany({ where: { teamId: args.teamId, id: { in: runIds } }, include: { project: { select: { slug: true } }, team: { select: { slug: true } } } });
  if (runs.length !== runIds.length) throw notFound('Run');
  runs.sort((a, b) => runIds.indexOf(a.id) - runIds.indexOf(b.id));
  for (const r of runs) if (r.status !== 'SUCCEEDED') throw badRequest(`Run #${r.number} has not finished (${r.status.toLowerCase()}): only finished runs can be reviewed`, 'runIds');
  const members = await prisma.membership.findMany({ where: { teamId: args.teamId, userId: { in: reviewerIds } }, include: { user: { select: { id: true, name: true } } } });
  for (const id of reviewerIds) {
    const m = members.find((x) => x.userId === id);
    if (!m) throw badRequest('Every reviewer must be a member of this team', 'reviewerIds');
    if (id === args.actorId) throw badRequest('You cannot review your own request: choose other members', 'reviewerIds');
    if (!hasRole(m.role, 'MEMBER')) throw badRequest(`${m.user.name} is a viewer: viewers can comment but not review`, 'reviewerIds');
    const authored = runs.find((r) => r.createdById === id);
    if (authored) throw badRequest(`${m.user.name} authored run #${authored.number} and cannot review it`, 'reviewerIds');
  }
  const title = input.title || (runs.length === 1 ? `Review of run #${runs[0]!.number} ${runs[0]!.name}` : `Review of runs ${runs.map((r) => `#${r.number}`).join(', ')}`);
  const actor = await prisma.user.findUniqueOrThrow({ where: { id: args.actorId }, select: { name: true } });
  const link = `${runPath(runs[0]!)}#review`;
  const { review, sent } = await prisma.$transaction(async (tx) => {
    const review = await tx.reviewRequest.create({
      data: {
        teamId: args.teamId,
        title,
        message: input.message,
        authorId: args.actorId,
        runs: { create: runIds.map((runId) => ({ runId })) },
        reviewers: { create: reviewerIds.map((userId) => ({ userId })) },
      },
    });
    await recordAudit(tx, { teamId: args.teamId, actorId: args.actorId, action: 'review.requested', targetType: 'review', targetId: review.id, details: { title, runIds, reviewerIds } });
    const sent = await notify(
      tx,
      reviewerIds.map((userId) => ({ userId, teamId: args.teamId, actorId: args.actorId, kind: 'review_requested' as const, title: `${actor.name} requested your review: ${title}`, link })),
    );
    return { review, sent };
  });
  void mailNotifications(sent);
  return getReview(args.teamId, review.id);
}

const reviewInclude = {
  author: { select: { id: true, name: true } },
  reviewers: { include: { user: { select: { id: true, name: true, email: true } } }, orderBy: { createdAt: 'asc' as const } },
  runs: { select: { runId: true } },
  decisions: { include: { reviewer: { select: { id: true, name: true } } }, orderBy: { createdAt: 'asc' as const } },
};

type ReviewWithAll = NonNullable<Awaited<ReturnType<typeof loadReviews>>>[number];
async function loadReviews(where: { teamId: string; id?: string; runs?: { some: { runId: string } }; state?: string; reviewers?: { some: { userId: string } } }) {
  return prisma.reviewRequest.findMany({ where, include: reviewInclude, orderBy: { createdAt: 'desc' } });
}

/** The review as read: per run, each reviewer's latest decision marked fresh or stale, the derived state. */
async function present(teamId: string, reviews: ReviewWithAll[]) {
  const current = await currentOfRuns(teamId, [...new Set(reviews.flatMap((r) => r.runs.map((x) => x.runId)))]);
  return reviews.map((review) => {
    const runs = review.runs.flatMap(({ runId }) => {
      const c = current.get(runId);
      if (!c) return [];
      const decisions = review.decisions
        .filter((d) => d.runId === runId)
        .map((d) => ({
          id: d.id,
          runId: d.runId,
          reviewerId: d.reviewerId,
          reviewer: d.reviewer?.name ?? 'deleted user',
          verdict: d.verdict as DecideInput['verdict'],
          justification: d.justification,
          createdAt: d.createdAt,
          checkpointId: d.checkpointId,
          datasetVersionId: d.datasetVersionId,
          reportHash: d.reportHash,
          gateStatus: d.gateStatus,
        }));
      const s = runReviewState(decisions, c.pins);
      return [
        {
          id: runId,
          number: c.run.number,
          name: c.run.name,
          path: runPath(c.run),
          authorId: c.run.createdById,
          state: s.state,
          staleApprovals: s.staleApprovals,
          gates: { status: c.gates.status, failed: c.gates.results.filter((g) => g.status !== 'pass').map((g) => g.description) },
          current: c.pins,
          decisions: s.latest,
          history: decisions,
        },
      ];
    });
    const open = review.state === 'OPEN';
    return {
      id: review.id,
      title: review.title,
      message: review.message,
      open,
      state: reviewState(
        open,
        runs.map((r) => r.state),
      ),
      author: review.author,
      createdAt: review.createdAt,
      closedAt: review.closedAt,
      reviewers: review.reviewers.map((r) => ({
        id: r.user.id,
        name: r.user.name,
        email: r.user.email,
        awaiting:
          open &&
          awaitsReviewer(
            r.user.id,
            runs.map((x) => ({ latest: x.decisions })),
          ),
      })),
      runs,
    };
  });
}

export type ReviewView = Awaited<ReturnType<typeof present>>[number];

export async function getReview(teamId: string, reviewId: string): Promise<ReviewView> {
  const rows = await loadReviews({ teamId, id: reviewId });
  if (!rows.length) throw notFound('Review');
  return (await present(teamId, rows))[0]!;
}

export async function reviewsOfRun(teamId: string, runId: string) {
  return present(teamId, await loadReviews({ teamId, runs: { some: { runId } } }));
}

/** The user's queue: open reviews where they still owe a fresh decision on some run. */
export async function pendingReviewsFor(teamId: string, userId: string) {
  const all = await present(teamId, await loadReviews({ teamId, state: 'OPEN', reviewers: { some: { userId } } }));
  return all.filter((r) => r.reviewers.some((x) => x.id === userId && x.awaiting));
}

/** Who may decide on a review's runs (the rules at the top of this file); throws why not. */
function assertMayDecide(args: { actorId: string; actorRole: Role; review: { authorId: string | null; reviewers: { userId: string }[] }; runs: RunCurrent[] }) {
  if (!hasRole(args.actorRole, 'MEMBER')) throw forbidden('Viewers can comment but not approve, request changes or reject');
  const requested = args.review.reviewers.some((r) => r.userId === args.actorId);
  if (!requested && !hasRole(args.actorRole, 'ADMIN')) throw forbidden('Only the requested reviewers (or a team admin) can decide on this review');
  if (args.review.authorId === args.actorId) throw forbidden('You requested this review; a reviewer decides on it');
  const own = args.runs.find((c) => c.run.createdById === args.actorId);
  if (own) throw forbidden(`You authored run #${own.run.number}: the author of a run cannot decide on it`);
}

export async function decide(args: { teamId: string; actorId: string; actorRole: Role; input: DecideInput }) {
  const input = ZDecideInput.parse(args.input);
  const review = await prisma.reviewRequest.findFirst({ where: { id: input.reviewId, teamId: args.teamId }, include: { runs: true, reviewers: true } });
  if (!review) throw notFound('Review');
  const runIds = input.runIds ? [...new Set(input.runIds)] : review.runs.map((r) => r.runId);
  const unknown = runIds.find((id) => !review.runs.some((r) => r.runId === id));
  if (unknown) throw badRequest('That run is not part of this review', 'runIds');
  const current = await currentOfRuns(args.teamId, runIds);
  const runs = runIds.map((id) => current.get(id)).filter((c): c is RunCurrent => !!c);
  assertMayDecide({ actorId: args.actorId, actorRole: args.actorRole, review, runs });
  if (review.state !== 'OPEN') throw badRequest('This review is closed; reopen it to decide');
  const failing = runs.filter((c) => failsPolicy(c.gates));
  if (failing.length && !input.justification) {
    const c = failing[0]!;
    throw badRequest(
      `Run #${c.run.number} fails the team's fairness policy (${c.gates.results
        .filter((g) => g.status !== 'pass')
        .map((g) => g.description)
        .join('; ')}): a justification is required`,
      'justification',
    );
  }
  const actor = await prisma.user.findUniqueOrThrow({ where: { id: args.actorId }, select: { name: true } });
  const sent = await prisma.$transaction(async (tx) => {
    const notes: NewNotification[] = [];
    for (const c of runs) {
      const d = await tx.reviewDecision.create({
        data: {
          reviewId: review.id,
          runId: c.run.id,
          reviewerId: args.actorId,
          verdict: input.verdict,
          justification: input.justification,
          checkpointId: c.pins.checkpointId,
          datasetVersionId: c.pins.datasetVersionId,
          architectureVersionId: c.pins.architectureVersionId,
          reportKey: c.pins.reportKey,
          reportHash: c.pins.reportHash,
          gateStatus: c.gates.status,
        },
      });
      await recordAudit(tx, {
        teamId: args.teamId,
        actorId: args.actorId,
        action: 'review.decided',
        targetType: 'review',
        targetId: review.id,
        details: {
          decisionId: d.id,
          runId: c.run.id,
          runNumber: c.run.number,
          verdict: input.verdict,
          justification: input.justification,
          gateStatus: c.gates.status,
          checkpointId: c.pins.checkpointId,
          datasetVersionId: c.pins.datasetVersionId,
          reportHash: c.pins.reportHash,
        },
      });
      const title = `${actor.name}: ${VERDICT_LABELS[input.verdict].toLowerCase()} on run #${c.run.number} ${c.run.name}`;
      for (const userId of [review.authorId, c.run.createdById])
        if (userId) notes.push({ userId, teamId: args.teamId, actorId: args.actorId, kind: 'decision', title, link: `${runPath(c.run)}#review` });
    }
    return notify(tx, notes);
  });
  void mailNotifications(sent);
  return getReview(args.teamId, review.id);
}

/** Closing withdraws a review (its author or an admin); reopening lets reviewers decide again. */
export async function setReviewOpen(args: { teamId: string; actorId: string; actorRole: Role; reviewId: string; open: boolean }) {
  const review = await prisma.reviewRequest.findFirst({ where: { id: args.reviewId, teamId: args.teamId } });
  if (!review) throw notFound('Review');
  if (review.authorId !== args.actorId && !hasRole(args.actorRole, 'ADMIN')) throw forbidden('Only the author of the review or a team admin can close or reopen it');
  if ((review.state === 'OPEN') === args.open) return getReview(args.teamId, review.id);
  await prisma.$transaction(async (tx) => {
    await tx.reviewRequest.update({ where: { id: review.id }, data: { state: args.open ? 'OPEN' : 'CLOSED', closedAt: args.open ? null : new Date() } });
    await recordAudit(tx, {
      teamId: args.teamId,
      actorId: args.actorId,
      action: args.open ? 'review.reopened' : 'review.closed',
      targetType: 'review',
      targetId: review.id,
      details: { title: review.title },
    });
  });
  return getReview(args.teamId, review.id);
}
