import { z } from 'zod';
import { ZCreateFromUploadInput, ZCreateSyntheticInput, ZDatasetRef, ZDatasetVersionRef } from '@/lib/schemas/datasets';
import * as datasets from '../../services/datasets';
import { createTRPCRouter, teamProcedure } from '../trpc';

export const datasetsRouter = createTRPCRouter({
  list: teamProcedure.input(z.object({ projectId: z.string().min(1).optional() })).query(({ ctx, input }) => datasets.listDatasets(ctx.team.id, input.projectId)),
  get: teamProcedure.input(ZDatasetRef).query(({ ctx, input }) => datasets.getDataset(ctx.team.id, input.datasetId)),
  version: teamProcedure.input(ZDatasetVersionRef).query(({ ctx, input }) => datasets.getDatasetVersion(ctx.team.id, input.datasetId, input.version)),
  /** A file received by POST /api/datasets/upload, with its profile, waiting for roles. */
  upload: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(z.object({ uploadId: z.string().min(1) }))
    .query(async ({ ctx, input }) => {
      const { path: _path, ...upload } = await datasets.getUpload(ctx.team.id, ctx.user.id, input.uploadId);
      return upload;
    }),
  createFromUpload: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZCreateFromUploadInput)
    .mutation(({ ctx, input }) => datasets.createFromUpload({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role, input })),
  createSynthetic: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZCreateSyntheticInput)
    .mutation(({ ctx, input }) => datasets.createSynthetic({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role, input })),
});
