import type { Prisma, PrismaClient } from '@prisma/client';
import { prisma } from '@/lib/db/client';
import { ZAuditQuery, type AuditQuery } from '@/lib/schemas/reviews';

/**
 * The team's audit trail: who requested, commented, decided, changed gates, roles or
 * invitations, and when. Every action records its event with `recordAudit(tx, …)` inside the
 * action's own transaction, so an action and its event commit or fail together. Rows are
 * append-only: a trigger refuses UPDATE, DELETE and TRUNCATE (see the migration).
 */

export type AuditAction =
  | 'review.requested'
  | 'review.decided'
  | 'review.closed'
  | 'review.reopened'
  | 'comment.created'
  | 'comment.resolved'
  | 'comment.reopened'
  | 'model_card.updated'
  | 'gate.created'
  | 'gate.enabled'
  | 'gate.disabled'
  | 'gate.deleted'
  | 'member.role_changed'
  | 'member.removed'
  | 'member.left'
  | 'invitation.created'
  | 'invitation.revoked'
  | 'invitation.accepted';

export const AUDIT_ACTIONS: AuditAction[] = [
  'review.requested',
  'review.decided',
  'review.closed',
  'review.reopened',
  'comment.created',
  'comment.resolved',
  'comment.reopened',
  'model_card.updated',
  'gate.created',
  'gate.enabled',
  'gate.disabled',
  'gate.deleted',
  'member.role_changed',
  'member.removed',
  'member.left',
  'invitation.created',
  'invitation.revoked',
  'invitation.accepted',
];

export interface AuditEntry {
  teamId: string;
  actorId: string | null;
  action: AuditAction;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

type Client = Prisma.TransactionClient | PrismaClient;

/** Records one event; pass the action's transaction client so both commit or fail together. */
export async function recordAudit(tx: Client, entry: AuditEntry) {
  // The actor's name as it was (users can be renamed or deleted; the trail keeps no foreign keys).
  const actor = entry.actorId ? await tx.user.findUnique({ where: { id: entry.actorId }, select: { name: true } }) : null;
  return tx.auditEvent.create({
    data: {
      teamId: entry.teamId,
      actorId: entry.actorId,
      actorName: actor?.name ?? '',
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      details: (entry.details ?? {}) as Prisma.InputJsonValue,
    },
  });
}

export async function listAudit(teamId: string, query: AuditQuery = {}) {
  const q = ZAuditQuery.parse(query);
  const to = q.to && q.to.getUTCHours() === 0 && q.to.getUTCMinutes() === 0 && q.to.getUTCSeconds() === 0 ? new Date(q.to.getTime() + 86_400_000 - 1) : q.to;
  const rows = await prisma.auditEvent.findMany({
    where: {
      teamId,
      ...(q.actorId ? { actorId: q.actorId } : {}),
      ...(q.action ? (q.action.endsWith('.*') ? { action: { startsWith: q.action.slice(0, -1) } } : { action: q.action }) : {}),
      ...(q.from || to ? { createdAt: { ...(q.from ? { gte: q.from } : {}), ...(to ? { lte: to } : {}) } } : {}),
      ...(q.cursor ? { id: { lt: BigInt(q.cursor) } } : {}),
    },
    orderBy: { id: 'desc' },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const actorIds = [...new Set(page.map((r) => r.actorId).filter((x): x is string => !!x))];
  const users = actorIds.length ? await prisma.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true, email: true } }) : [];
  const byId = new Map(users.map((u) => [u.id, u]));
  return {
    events: page.map((r) => ({
      id: r.id.toString(),
      action: r.action,
      actor: r.actorId ? { id: r.actorId, name: byId.get(r.actorId)?.name ?? (r.actorName || 'deleted user'), email: byId.get(r.actorId)?.email ?? null } : null,
      targetType: r.targetType,
      targetId: r.targetId,
      details: r.details as Record<string, unknown>,
      createdAt: r.createdAt,
    })),
    nextCursor: rows.length > q.limit ? page[page.length - 1]!.id.toString() : null,
  };
}

/** Who appears in the team's trail (for the actor filter), members or not. */
export async function auditActors(teamId: string) {
  const rows = await prisma.auditEvent.findMany({ where: { teamId, actorId: { not: null } }, distinct: ['actorId'], select: { actorId: true, actorName: true } });
  const users = await prisma.user.findMany({ where: { id: { in: rows.map((r) => r.actorId!) } }, select: { id: true, name: true, email: true } });
  return users.sort((a, b) => a.name.localeCompare(b.name));
}
