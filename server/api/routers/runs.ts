import { z } from 'zod';
import { ZCloneRunInput, ZCreateRunInput, ZRunRef, ZTag } from '@/lib/schemas/run-input';
import { prisma } from '@/lib/db/client';
import { realtimeHub } from '../../realtime/hub';
import { notFound } from '../../services/errors';
import * as metrics from '../../services/metrics';
import * as runs from '../../services/runs';
import { availableColumns, searchRuns } from '../../services/run-search';
import * as views from '../../services/views';
import { compareFairness } from '../../services/fairness-compare';
import { ZRunSearchInput } from '@/lib/runs/query';
import { createTRPCRouter, teamProcedure } from '../trpc';

export const runsRouter = createTRPCRouter({
  list: teamProcedure.input(z.object({ projectId: z.string().min(1) })).query(({ ctx, input }) => runs.listRuns(ctx.team.id, input.projectId)),
  /** The runs table: query language filter, sort, pagination, grouping, dynamic columns. */
  search: teamProcedure.input(ZRunSearchInput).query(({ ctx, input }) => searchRuns({ ...input, teamId: ctx.team.id })),
  columns: teamProcedure.input(z.object({ projectId: z.string().min(1) })).query(({ ctx, input }) => availableColumns(ctx.team.id, input.projectId)),
  views: teamProcedure.input(z.object({ projectId: z.string().min(1) })).query(({ ctx, input }) => views.listViews(ctx.team.id, ctx.user.id, input.projectId)),
  saveView: teamProcedure.input(views.ZSavedViewInput).mutation(({ ctx, input }) => views.saveView(ctx.team.id, ctx.user.id, input)),
  deleteView: teamProcedure.input(z.object({ viewId: z.string().min(1) })).mutation(({ ctx, input }) => views.deleteView(ctx.team.id, ctx.user.id, input.viewId)),
  get: teamProcedure.input(ZRunRef).query(({ ctx, input }) => runs.getRun(ctx.team.id, input.runId)),
  create: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZCreateRunInput)
    .mutation(({ ctx, input }) => runs.createRun({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role, input })),
  cancel: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZRunRef)
    .mutation(({ ctx, input }) => runs.cancelRun({ teamId: ctx.team.id, role: ctx.team.role, runId: input.runId })),
  retry: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZRunRef)
    .mutation(({ ctx, input }) => runs.retryRun({ teamId: ctx.team.id, role: ctx.team.role, runId: input.runId })),
  clone: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZCloneRunInput)
    .mutation(({ ctx, input }) => runs.cloneRun({ teamId: ctx.team.id, userId: ctx.user.id, role: ctx.team.role, runId: input.runId, name: input.name, config: input.config })),
  update: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZRunRef.extend({ name: z.string().trim().min(1).max(120).optional(), notes: z.string().max(20_000).optional(), tags: z.array(ZTag).max(20).optional() }))
    .mutation(({ ctx, input }) => runs.updateRun({ ...input, teamId: ctx.team.id, role: ctx.team.role })),
  compare: teamProcedure.input(z.object({ runIds: z.array(z.string().min(1)).min(1).max(20) })).query(({ ctx, input }) => runs.compareRuns(ctx.team.id, input.runIds)),
  compareSeries: teamProcedure
    .input(z.object({ runIds: z.array(z.string().min(1)).min(1).max(20), keys: z.array(z.string()).max(50).optional(), maxPoints: z.int().min(3).max(2000).default(500) }))
    .query(({ ctx, input }) => metrics.compareSeries(ctx.team.id, input.runIds, input)),
  /** Fairness reports side by side: accuracy against each disparity, with post-processed variants. */
  compareFairness: teamProcedure.input(z.object({ runIds: z.array(z.string().min(1)).min(1).max(20) })).query(({ ctx, input }) => compareFairness(ctx.team.id, input.runIds)),
  /** Fairness and explainability reports of a finished supervised run. */
  report: teamProcedure.input(ZRunRef.extend({ checkpointId: z.string().min(1).optional() })).query(({ ctx, input }) => runs.runReport(ctx.team.id, input.runId, input.checkpointId)),
  /** Queues fairness and explainability reports for one checkpoint of a finished run. */
  reportCheckpoint: teamProcedure
    .meta({ minRole: 'MEMBER' })
    .input(ZRunRef.extend({ checkpointId: z.string().min(1) }))
    .mutation(({ ctx, input }) => runs.requestCheckpointReport({ teamId: ctx.team.id, role: ctx.team.role, runId: input.runId, checkpointId: input.checkpointId })),
  logs: teamProcedure
    .input(ZRunRef.extend({ afterId: z.string().regex(/^\d+$/).optional() }))
    .query(({ ctx, input }) => runs.runLogs(ctx.team.id, input.runId, input.afterId ? BigInt(input.afterId) : undefined)),
  summaries: teamProcedure.input(ZRunRef).query(({ ctx, input }) => metrics.runSummaries(ctx.team.id, input.runId)),
  /** Downsampled series (min/max per bucket + last point), optionally a zoomed step range. */
  series: teamProcedure
    .input(
      ZRunRef.extend({
        keys: z.array(z.string()).max(100).optional(),
        maxPoints: z.int().min(3).max(5000).default(1000),
        from: z.int().min(0).optional(),
        to: z.int().min(0).optional(),
      }),
    )
    .query(({ ctx, input }) => metrics.runSeries(ctx.team.id, input.runId, input)),
  /** Live events of one run (metrics written, status changes), streamed over SSE. */
  live: teamProcedure.input(ZRunRef).subscription(async function* ({ ctx, input, signal }) {
    const run = await prisma.run.findFirst({ where: { id: input.runId, teamId: ctx.team.id }, select: { id: true } });
    if (!run) throw notFound('Run');
    yield { type: 'hello' as const, runId: run.id };
    for await (const event of realtimeHub().subscribe(run.id, signal)) yield event;
  }),
});
