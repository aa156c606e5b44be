import { ZCreateApiKeyInput, ZRevokeApiKeyInput } from '@/lib/schemas/api-keys';
import * as apiKeys from '../../services/api-keys';
import { createTRPCRouter, teamProcedure } from '../trpc';

/** Personal API keys per team: members (not viewers) create and revoke their own; admins revoke any. */
export const apiKeysRouter = createTRPCRouter({
  list: teamProcedure.query(({ ctx }) => apiKeys.listApiKeys({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role })),
  create: teamProcedure
    .meta({ minRole: 'VIEWER' })
    .input(ZCreateApiKeyInput)
    .mutation(({ ctx, input }) => apiKeys.createApiKey({ teamId: ctx.team.id, userId: ctx.user.id, name: input.name, expiresInDays: input.expiresInDays })),
  revoke: teamProcedure.input(ZRevokeApiKeyInput).mutation(({ ctx, input }) => apiKeys.revokeApiKey({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role, keyId: input.keyId })),
});
