import type { Prisma } from '@prisma/client';
import { z } from 'zod';
import { prisma } from '@/lib/db/client';
import { ZRunSort } from '@/lib/runs/query';
import { conflict, forbidden, notFound } from './errors';

/** Saved runs-table views: the query, sort, columns and grouping, private or shared with the team. */
export const ZSavedViewInput = z.object({
  projectId: z.string().min(1),
  name: z.string().trim().min(1, 'Name the view').max(80),
  query: z.string().max(10_000).default(''),
  sort: z.array(ZRunSort).max(10).default([]),
  columns: z
    .object({ metrics: z.array(z.string()).max(200).default([]), params: z.array(z.string()).max(200).default([]), hidden: z.array(z.string()).max(50).default([]) })
    .default({ metrics: [], params: [], hidden: [] }),
  groupBy: z.string().max(500).optional(),
  shared: z.boolean().default(false),
});
export type SavedViewInput = z.input<typeof ZSavedViewInput>;

export async function listViews(teamId: string, userId: string, projectId: string) {
  return prisma.savedView.findMany({
    where: { teamId, projectId, OR: [{ userId }, { shared: true }] },
    orderBy: { name: 'asc' },
  });
}

export async function saveView(teamId: string, userId: string, input: SavedViewInput) {
  const data = ZSavedViewInput.parse(input);
  const project = await prisma.project.findFirst({ where: { id: data.projectId, teamId }, select: { id: true } });
  if (!project) throw notFound('Project');
  try {
    return await prisma.savedView.upsert({
      where: { projectId_userId_name: { projectId: data.projectId, userId, name: data.name } },
      create: { teamId, userId, ...data, sort: data.sort as Prisma.InputJsonValue, columns: data.columns as Prisma.InputJsonValue },
      update: { query: data.query, sort: data.sort as Prisma.InputJsonValue, columns: data.columns as Prisma.InputJsonValue, groupBy: data.groupBy ?? null, shared: data.shared },
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw conflict('A view with this name exists', 'name');
    throw err;
  }
}

export async function deleteView(teamId: string, userId: string, viewId: string) {
  const view = await prisma.savedView.findFirst({ where: { id: viewId, teamId } });
  if (!view) throw notFound('View');
  if (view.userId !== userId) throw forbidden('Only the view’s owner can delete it');
  await prisma.savedView.delete({ where: { id: viewId } });
  return { id: viewId };
}
