import { ZChangeRoleInput, ZCreateTeamInput, ZRemoveMemberInput, ZRenameTeamInput } from '@/lib/schemas/teams';
import * as teams from '../../services/teams';
import { createTRPCRouter, protectedProcedure, teamProcedure } from '../trpc';

export const teamsRouter = createTRPCRouter({
  mine: protectedProcedure.query(({ ctx }) => teams.listTeamsOf(ctx.user.id)),
  create: protectedProcedure.input(ZCreateTeamInput).mutation(({ ctx, input }) => teams.createTeam(ctx.user.id, input)),
  get: teamProcedure.query(async ({ ctx }) => {
    const list = await teams.listTeamsOf(ctx.user.id);
    return list.find((t) => t.id === ctx.team.id)!;
  }),
  rename: teamProcedure
    .meta({ minRole: 'ADMIN' })
    .input(ZRenameTeamInput)
    .mutation(({ ctx, input }) => teams.renameTeam(ctx.team.id, ctx.team.role, input.name)),
  members: teamProcedure.query(({ ctx }) => teams.listMembers(ctx.team.id)),
  changeRole: teamProcedure
    .meta({ minRole: 'ADMIN' })
    .input(ZChangeRoleInput)
    .mutation(({ ctx, input }) => teams.changeRole({ teamId: ctx.team.id, actorId: ctx.user.id, actorRole: ctx.team.role, userId: input.userId, role: input.role })),
  removeMember: teamProcedure
    .meta({ minRole: 'ADMIN' })
    .input(ZRemoveMemberInput)
    .mutation(({ ctx, input }) => teams.removeMember({ teamId: ctx.team.id, actorId: ctx.user.id, actorRole: ctx.team.role, userId: input.userId })),
  leave: teamProcedure.mutation(({ ctx }) => teams.removeMember({ teamId: ctx.team.id, actorId: ctx.user.id, actorRole: ctx.team.role, userId: ctx.user.id })),
});
