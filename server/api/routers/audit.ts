import { ZAuditQuery } from '@/lib/schemas/reviews';
import * as audit from '../../services/audit';
import { createTRPCRouter, teamProcedure } from '../trpc';

// The trail names members, e-mail addresses and decisions: admins and owners read it.
export const auditRouter = createTRPCRouter({
  list: teamProcedure
    .meta({ minRole: 'ADMIN' })
    .input(ZAuditQuery)
    .query(({ ctx, input }) => audit.listAudit(ctx.team.id, input)),
  filters: teamProcedure.meta({ minRole: 'ADMIN' }).query(async ({ ctx }) => ({ actors: await audit.auditActors(ctx.team.id), actions: audit.AUDIT_ACTIONS })),
});
