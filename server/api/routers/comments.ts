import { ZAddCommentInput, ZResolveCommentInput, ZRunRef } from '@/lib/schemas/reviews';
import * as comments from '../../services/comments';
import { createTRPCRouter, teamProcedure } from '../trpc';

// Viewers can comment: reading a report critically is every member's job.
export const commentsRouter = createTRPCRouter({
  list: teamProcedure.input(ZRunRef).query(({ ctx, input }) => comments.listComments(ctx.team.id, input.runId)),
  add: teamProcedure.input(ZAddCommentInput).mutation(({ ctx, input }) => comments.addComment({ teamId: ctx.team.id, actorId: ctx.user.id, input })),
  setResolved: teamProcedure
    .input(ZResolveCommentInput)
    .mutation(({ ctx, input }) => comments.setCommentResolved({ teamId: ctx.team.id, actorId: ctx.user.id, actorRole: ctx.team.role, commentId: input.commentId, resolved: input.resolved })),
});
