import { prisma } from '@/lib/db/client';
import { markdownToText } from '@/lib/markdown';
import { findMentions } from '@/lib/reviews/mentions';
import { hasRole } from '@/lib/roles';
import { ZAddCommentInput, type AddCommentInput, type CommentAnchor } from '@/lib/schemas/reviews';
import type { Role } from '@/lib/schemas/teams';
import { recordAudit } from './audit';
import { badRequest, forbidden, notFound } from './errors';
import { mailNotifications, notify, type NewNotification } from './notifications';
import { runPath } from './reviews';

/**
 * Comments on a run's reports, anchored to a section (a group row, a disparity, a chart, an
 * attribution, or the run as a whole). Any member, viewers included, may comment. A reply joins
 * its thread (one level: a reply to a reply joins the same thread). Mentions of team members
 * (@e-mail or @Full Name) and replies notify; resolving applies to the whole thread and is open
 * to the thread's author and to members and above.
 */

export async function listComments(teamId: string, runId: string) {
  const rows = await prisma.comment.findMany({
    where: { teamId, runId },
    orderBy: { createdAt: 'asc' },
    include: { author: { select: { id: true, name: true } } },
  });
  const people = await prisma.user.findMany({
    where: { id: { in: [...new Set(rows.flatMap((r) => [...r.mentionIds, ...(r.resolvedById ? [r.resolvedById] : [])]))] } },
    select: { id: true, name: true, email: true },
  });
  const name = new Map(people.map((u) => [u.id, u.name]));
  const byId = new Map(people.map((u) => [u.id, u]));
  const view = (c: (typeof rows)[number]) => ({
    id: c.id,
    author: c.author ?? { id: null, name: 'deleted user' },
    body: c.body,
    createdAt: c.createdAt,
    mentionIds: c.mentionIds,
    // How the mentioned members can be written (@Full Name or @e-mail), for highlighting.
    mentions: c.mentionIds.flatMap((id) => (byId.get(id) ? [byId.get(id)!.name, byId.get(id)!.email] : [])),
  });
  const roots = rows.filter((r) => !r.parentId);
  return roots.map((r) => ({
    ...view(r),
    anchor: { kind: r.anchorKind, key: r.anchorKey } as CommentAnchor,
    resolved: !!r.resolvedAt,
    resolvedAt: r.resolvedAt,
    resolvedBy: r.resolvedById ? (name.get(r.resolvedById) ?? 'deleted user') : null,
    replies: rows.filter((x) => x.parentId === r.id).map(view),
  }));
}

export async function addComment(args: { teamId: string; actorId: string; input: AddCommentInput }) {
  const input = ZAddCommentInput.parse(args.input);
  const run = await prisma.run.findFirst({ where: { id: input.runId, teamId: args.teamId }, include: { project: { select: { slug: true } }, team: { select: { slug: true } } } });
  if (!run) throw notFound('Run');
  let root: { id: string; anchorKind: string; anchorKey: string; authorId: string | null } | null = null;
  if (input.parentId) {
    const parent = await prisma.comment.findFirst({ where: { id: input.parentId, teamId: args.teamId } });
    if (!parent) throw notFound('Comment');
    if (parent.runId !== run.id) throw badRequest('A reply must be on the same run as its thread', 'parentId');
    root = parent.parentId ? await prisma.comment.findUniqueOrThrow({ where: { id: parent.parentId } }) : parent;
  }
  const anchor = root ? { kind: root.anchorKind, key: root.anchorKey } : input.anchor;
  const members = await prisma.membership.findMany({ where: { teamId: args.teamId }, include: { user: { select: { id: true, name: true, email: true } } } });
  const mentionIds = findMentions(
    input.body,
    members.map((m) => m.user),
  );
  const actor = members.find((m) => m.userId === args.actorId)?.user ?? (await prisma.user.findUniqueOrThrow({ where: { id: args.actorId }, select: { id: true, name: true, email: true } }));
  const link = `${runPath(run)}#comment-${root?.id ?? 'new'}`;
  const { comment, sent } = await prisma.$transaction(async (tx) => {
    const comment = await tx.comment.create({
      data: { teamId: args.teamId, runId: run.id, parentId: root?.id ?? null, authorId: args.actorId, anchorKind: anchor.kind, anchorKey: anchor.key, body: input.body, mentionIds },
    });
    await recordAudit(tx, {
      teamId: args.teamId,
      actorId: args.actorId,
      action: 'comment.created',
      targetType: 'comment',
      targetId: comment.id,
      details: { runId: run.id, runNumber: run.number, anchor, parentId: root?.id ?? null, mentionIds, excerpt: markdownToText(input.body, 120) },
    });
    const preview = markdownToText(input.body, 80);
    const threadLink = link.replace('#comment-new', `#comment-${comment.id}`);
    const notes: NewNotification[] = mentionIds.map((userId) => ({
      userId,
      teamId: args.teamId,
      actorId: args.actorId,
      kind: 'mention',
      title: `${actor.name} mentioned you on run #${run.number}: ${preview}`,
      link: threadLink,
    }));
    if (root) {
      const participants = await tx.comment.findMany({ where: { OR: [{ id: root.id }, { parentId: root.id }] }, select: { authorId: true }, distinct: ['authorId'] });
      for (const p of participants)
        if (p.authorId && !mentionIds.includes(p.authorId))
          notes.push({ userId: p.authorId, teamId: args.teamId, actorId: args.actorId, kind: 'reply', title: `${actor.name} replied on run #${run.number}: ${preview}`, link: threadLink });
    }
    return { comment, sent: await notify(tx, notes) };
  });
  void mailNotifications(sent);
  return { id: comment.id, threadId: root?.id ?? comment.id, mentionIds };
}

export async function setCommentResolved(args: { teamId: string; actorId: string; actorRole: Role; commentId: string; resolved: boolean }) {
  const c = await prisma.comment.findFirst({ where: { id: args.commentId, teamId: args.teamId } });
  if (!c) throw notFound('Comment');
  const root = c.parentId ? await prisma.comment.findUniqueOrThrow({ where: { id: c.parentId } }) : c;
  if (root.authorId !== args.actorId && !hasRole(args.actorRole, 'MEMBER')) throw forbidden('Viewers can resolve only the threads they started');
  if (!!root.resolvedAt === args.resolved) return { id: root.id, resolved: args.resolved };
  await prisma.$transaction(async (tx) => {
    await tx.comment.update({ where: { id: root.id }, data: args.resolved ? { resolvedAt: new Date(), resolvedById: args.actorId } : { resolvedAt: null, resolvedById: null } });
    await recordAudit(tx, {
      teamId: args.teamId,
      actorId: args.actorId,
      action: args.resolved ? 'comment.resolved' : 'comment.reopened',
      targetType: 'comment',
      targetId: root.id,
      details: { runId: root.runId },
    });
  });
  return { id: root.id, resolved: args.resolved };
}
