import { prisma } from '@/lib/db/client';

/**
 * The project's front page numbers, from summary rows only: what is running now, the latest runs,
 * the best run for each headline metric, and who ran what in the last 30 days.
 */
const HEADLINE: Array<{ key: string; context: string; better: 'max' | 'min'; label: string }> = [
  { key: 'accuracy', context: 'test', better: 'max', label: 'test accuracy' },
  { key: 'roc_auc', context: 'test', better: 'max', label: 'test ROC AUC' },
  { key: 'macro_f1', context: 'test', better: 'max', label: 'test macro F1' },
  { key: 'rmse', context: 'test', better: 'min', label: 'test RMSE' },
  { key: 'loss', context: 'validation', better: 'min', label: 'validation loss' },
  { key: 'mean_return', context: 'train', better: 'max', label: 'CartPole mean return' },
];

export async function projectDashboard(teamId: string, projectId: string) {
  const since = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  const [running, queued, recent, activity, best] = await Promise.all([
    prisma.run.findMany({
      where: { teamId, projectId, status: 'RUNNING' },
      orderBy: { startedAt: 'asc' },
      select: { id: true, number: true, name: true, progress: true, startedAt: true, createdBy: { select: { name: true } } },
    }),
    prisma.run.count({ where: { teamId, projectId, status: 'QUEUED' } }),
    prisma.run.findMany({
      where: { teamId, projectId },
      orderBy: { createdAt: 'desc' },
      take: 6,
      select: { id: true, number: true, name: true, status: true, createdAt: true, finishedAt: true, createdBy: { select: { name: true } } },
    }),
    prisma.run.groupBy({ by: ['createdById', 'status'], where: { teamId, projectId, createdAt: { gte: since } }, _count: { _all: true } }),
    Promise.all(
      HEADLINE.map(async (h) => {
        const row = await prisma.metricSeries.findFirst({
          where: { key: h.key, context: h.context, last: { not: null }, run: { teamId, projectId, status: 'SUCCEEDED' } },
          orderBy: { last: h.better === 'max' ? 'desc' : 'asc' },
          select: { last: true, run: { select: { id: true, number: true, name: true } } },
        });
        return row ? { ...h, value: row.last!, run: row.run } : null;
      }),
    ),
  ]);
  const users = await prisma.user.findMany({ where: { id: { in: activity.map((a) => a.createdById).filter((x): x is string => !!x) } }, select: { id: true, name: true } });
  const perMember = new Map<string, { name: string; total: number; succeeded: number; failed: number }>();
  for (const a of activity) {
    const name = users.find((u) => u.id === a.createdById)?.name ?? 'unknown';
    const m = perMember.get(name) ?? { name, total: 0, succeeded: 0, failed: 0 };
    m.total += a._count._all;
    if (a.status === 'SUCCEEDED') m.succeeded += a._count._all;
    if (a.status === 'FAILED') m.failed += a._count._all;
    perMember.set(name, m);
  }
  return {
    running,
    queued,
    recent,
    best: best.filter((b): b is NonNullable<typeof b> => b !== null),
    activity: [...perMember.values()].sort((a, b) => b.total - a.total),
  };
}
