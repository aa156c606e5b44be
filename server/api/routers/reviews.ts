import { z } from 'zod';
import { ZDecideInput, ZRequestReviewInput, ZReviewRef, ZRunRef } from '@/lib/schemas/reviews';
import * as reviews from '../../services/reviews';
import { listMembers } from '../../services/teams';
import { createTRPCRouter, teamProcedure } from '../trpc';

// Any member reads reviews; members and above request and decide (the service adds who may
// decide on which run: requested reviewers or admins, never a run's author).
export const reviewsRouter = createTRPCRouter({
  ofRun: teamProcedure.input(ZRunRef).query(({ ctx, input }) => reviews.reviewsOfRun(ctx.team.id, input.runId)),
  get: teamProcedure.input(ZReviewRef).query(({ ctx, input }) => reviews.getReview(ctx.team.id, input.reviewId)),
  pending: teamProcedure.query(({ ctx }) => reviews.pendingReviewsFor(ctx.team.id, ctx.user.id)),
  /** Members who can be asked to review (and mentioned), with their roles. */
  candidates: teamProcedure.query(({ ctx }) => listMembers(ctx.team.id)),
  request: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZRequestReviewInput)
    .mutation(({ ctx, input }) => reviews.requestReview({ teamId: ctx.team.id, actorId: ctx.user.id, actorRole: ctx.team.role, input })),
  decide: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZDecideInput)
    .mutation(({ ctx, input }) => reviews.decide({ teamId: ctx.team.id, actorId: ctx.user.id, actorRole: ctx.team.role, input })),
  setOpen: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZReviewRef.extend({ open: z.boolean() }))
    .mutation(({ ctx, input }) => reviews.setReviewOpen({ teamId: ctx.team.id, actorId: ctx.user.id, actorRole: ctx.team.role, reviewId: input.reviewId, open: input.open })),
});
