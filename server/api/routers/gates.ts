import { z } from 'zod';
import { ZGateRuleInput, ZGateRuleRef } from '@/lib/schemas/gates';
import * as gates from '../../services/gates';
import { createTRPCRouter, teamProcedure } from '../trpc';

// Any member sees the team's fairness policy; admins change it.
export const gatesRouter = createTRPCRouter({
  list: teamProcedure.query(({ ctx }) => gates.listGateRules(ctx.team.id)),
  create: teamProcedure
    .meta({ minRole: 'ADMIN' })
    .input(ZGateRuleInput)
    .mutation(({ ctx, input }) => gates.createGateRule(ctx.team.id, ctx.user.id, input)),
  setEnabled: teamProcedure
    .meta({ minRole: 'ADMIN' })
    .input(ZGateRuleRef.extend({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) => gates.setGateRuleEnabled(ctx.team.id, input.ruleId, input.enabled, ctx.user.id)),
  delete: teamProcedure
    .meta({ minRole: 'ADMIN' })
    .input(ZGateRuleRef)
    .mutation(({ ctx, input }) => gates.deleteGateRule(ctx.team.id, input.ruleId, ctx.user.id)),
});
