import { ZModelCardInput, ZRunRef } from '@/lib/schemas/reviews';
import * as cards from '../../services/model-cards';
import { createTRPCRouter, teamProcedure } from '../trpc';

export const modelCardsRouter = createTRPCRouter({
  get: teamProcedure.input(ZRunRef).query(({ ctx, input }) => cards.getModelCard(ctx.team.id, input.runId)),
  update: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZModelCardInput)
    .mutation(({ ctx, input }) => cards.updateModelCard({ teamId: ctx.team.id, actorId: ctx.user.id, actorRole: ctx.team.role, input })),
});
