import { z } from 'zod';
import { ZCreateProjectInput, ZSlug } from '@/lib/schemas/teams';
import * as projects from '../../services/projects';
import { createTRPCRouter, teamProcedure } from '../trpc';

export const projectsRouter = createTRPCRouter({
  list: teamProcedure.query(({ ctx }) => projects.listProjects(ctx.team.id)),
  get: teamProcedure.input(z.object({ slug: ZSlug })).query(({ ctx, input }) => projects.getProjectBySlug(ctx.team.id, input.slug)),
  create: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZCreateProjectInput)
    .mutation(({ ctx, input }) => projects.createProject({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role, input })),
});
