import { z } from 'zod';
import { ZCreateSweepInput, ZSweepRef } from '@/lib/schemas/sweeps';
import * as sweeps from '../../services/sweeps';
import { createTRPCRouter, teamProcedure } from '../trpc';

export const sweepsRouter = createTRPCRouter({
  list: teamProcedure.input(z.object({ projectId: z.string().min(1) })).query(({ ctx, input }) => sweeps.listSweeps(ctx.team.id, input.projectId)),
  get: teamProcedure.input(ZSweepRef).query(({ ctx, input }) => sweeps.getSweep(ctx.team.id, input.sweepId)),
  create: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZCreateSweepInput)
    .mutation(({ ctx, input }) => sweeps.createSweep({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role, input })),
  /** Stops queuing trials; `stopRuns` also cancels the sweep's queued and running runs. */
  cancel: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZSweepRef.extend({ stopRuns: z.boolean().default(true) }))
    .mutation(({ ctx, input }) => sweeps.cancelSweep({ teamId: ctx.team.id, role: ctx.team.role, sweepId: input.sweepId, stopRuns: input.stopRuns })),
});
