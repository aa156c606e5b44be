import { z } from 'zod';
import { ZInvitationToken, ZInviteInput } from '@/lib/schemas/teams';
import * as invitations from '../../services/invitations';
import { createTRPCRouter, protectedProcedure, publicProcedure, teamProcedure } from '../trpc';

export const invitationsRouter = createTRPCRouter({
  create: teamProcedure
    .meta({ minRole: 'ADMIN' })
    .input(ZInviteInput)
    .mutation(({ ctx, input }) => invitations.createInvitation({ teamId: ctx.team.id, inviterId: ctx.user.id, inviterRole: ctx.team.role, input })),
  pending: teamProcedure.meta({ minRole: 'ADMIN' }).query(({ ctx }) => invitations.listPendingInvitations(ctx.team.id)),
  revoke: teamProcedure
    .meta({ minRole: 'ADMIN' })
    .input(z.object({ invitationId: z.string().min(1) }))
    .mutation(({ ctx, input }) => invitations.revokeInvitation({ teamId: ctx.team.id, actorRole: ctx.team.role, invitationId: input.invitationId, actorId: ctx.user.id })),
  /** Needs the secret token from the link; shows nothing else of the team. */
  preview: publicProcedure.input(ZInvitationToken).query(({ input }) => invitations.previewInvitation(input.token)),
  accept: protectedProcedure.input(ZInvitationToken).mutation(({ ctx, input }) => invitations.acceptInvitation({ userId: ctx.user.id, token: input.token })),
});
