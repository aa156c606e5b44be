import { z } from 'zod';
import { ZArchitectureRef, ZCreateArchitectureInput, ZDiffInput, ZForkInput, ZImportKerasInput, ZSaveVersionInput, ZVersionRef } from '@/lib/schemas/architectures';
import * as architectures from '../../services/architectures';
import { createTRPCRouter, teamProcedure } from '../trpc';

export const architecturesRouter = createTRPCRouter({
  list: teamProcedure.input(z.object({ projectId: z.string().min(1).optional() })).query(({ ctx, input }) => architectures.listArchitectures(ctx.team.id, input.projectId)),
  get: teamProcedure.input(ZArchitectureRef).query(({ ctx, input }) => architectures.getArchitecture(ctx.team.id, input.architectureId)),
  version: teamProcedure.input(ZVersionRef).query(({ ctx, input }) => architectures.getVersion(ctx.team.id, input.architectureId, input.version)),
  create: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZCreateArchitectureInput)
    .mutation(({ ctx, input }) => architectures.createArchitecture({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role, input })),
  saveVersion: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZSaveVersionInput)
    .mutation(({ ctx, input }) => architectures.saveVersion({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role, input })),
  fork: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZForkInput)
    .mutation(({ ctx, input }) => architectures.forkArchitecture({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role, input })),
  diff: teamProcedure.input(ZDiffInput).query(({ ctx, input }) => architectures.diffVersions(ctx.team.id, input.architectureId, input.from, input.to)),
  /** Keras / TensorFlow.js model JSON → a new architecture. */
  importKeras: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZImportKerasInput)
    .mutation(({ ctx, input }) =>
      architectures.createArchitecture({
        teamId: ctx.team.id,
        userId: ctx.user.id,
        role: ctx.team.role,
        input: { projectId: input.projectId, name: input.name, spec: architectures.importKeras(input.json), message: 'Imported from Keras JSON' },
      }),
    ),
  exportKeras: teamProcedure.input(ZVersionRef).query(({ ctx, input }) => architectures.exportKeras(ctx.team.id, input.architectureId, input.version)),
});
