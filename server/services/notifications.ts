import type { Prisma } from '@prisma/client';
import { prisma } from '@/lib/db/client';
import { appUrl } from './invitations';
import { mailEnabled, sendMail } from './mail';

/**
 * In-app notifications (the sidebar bell) for review requests, mentions, replies and decisions,
 * e-mailed too when SMTP is configured. Rows are written inside the action's transaction;
 * e-mail goes out after it commits (`mailNotifications`), never blocking or failing the action.
 */

export type NotificationKind = 'review_requested' | 'mention' | 'reply' | 'decision';

export interface NewNotification {
  userId: string;
  teamId: string;
  actorId: string | null;
  kind: NotificationKind;
  title: string;
  /** An app path, e.g. /t/lab/projects/credit/runs/…#review. */
  link: string;
}

/** Creates notifications, skipping the actor and duplicates of the same user. */
export async function notify(tx: Prisma.TransactionClient, list: NewNotification[]): Promise<NewNotification[]> {
  const seen = new Set<string>();
  const rows = list.filter((n) => n.userId !== n.actorId && !seen.has(n.userId) && (seen.add(n.userId), true));
  if (rows.length) await tx.notification.createMany({ data: rows });
  return rows;
}

export async function mailNotifications(list: NewNotification[]): Promise<void> {
  if (!mailEnabled() || !list.length) return;
  const users = await prisma.user.findMany({ where: { id: { in: list.map((n) => n.userId) } }, select: { id: true, email: true } });
  const email = new Map(users.map((u) => [u.id, u.email]));
  await Promise.all(
    list.map((n) => {
      const to = email.get(n.userId);
      return to ? sendMail({ to, subject: `[Deepboard] ${n.title}`, text: `${n.title}\n\nOpen: ${appUrl()}${n.link}\n` }) : null;
    }),
  );
}

export async function listNotifications(userId: string, teamId: string, limit = 20) {
  const [items, unread] = await Promise.all([
    prisma.notification.findMany({ where: { userId, teamId }, orderBy: { createdAt: 'desc' }, take: limit }),
    prisma.notification.count({ where: { userId, teamId, readAt: null } }),
  ]);
  return { unread, items: items.map((n) => ({ id: n.id, kind: n.kind as NotificationKind, title: n.title, link: n.link, read: !!n.readAt, createdAt: n.createdAt })) };
}

export async function unreadCount(userId: string, teamId: string) {
  return prisma.notification.count({ where: { userId, teamId, readAt: null } });
}

/** Marks the given notifications (or all of the team's) read; only the user's own. */
export async function markRead(userId: string, teamId: string, ids?: string[]) {
  const { count } = await prisma.notification.updateMany({ where: { userId, teamId, readAt: null, ...(ids ? { id: { in: ids } } : {}) }, data: { readAt: new Date() } });
  return { marked: count };
}
