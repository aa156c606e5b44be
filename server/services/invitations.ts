import { createHash, randomBytes } from 'node:crypto';
import { prisma } from '@/lib/db/client';
import { env } from '@/lib/env';
import { can } from '@/lib/roles';
import { ZInviteInput, type InviteInput, type Role } from '@/lib/schemas/teams';
import { DomainError, badRequest, conflict, forbidden } from './errors';
import { recordAudit } from './audit';
import { sendMail } from './mail';

export const INVITATION_TTL_MS = env().INVITATION_TTL_HOURS * 3600 * 1000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function appUrl(): string {
  return (env().AUTH_URL ?? env().DEEPBOARD_URL ?? `http://localhost:${env().PORT}`).replace(/\/+$/, '');
}

export function invitationUrl(token: string): string {
  return `${appUrl()}/invite/${token}`;
}

export async function createInvitation(args: { teamId: string; inviterId: string; inviterRole: Role; input: InviteInput; now?: Date; ttlMs?: number }) {
  if (!can.manageMembers(args.inviterRole)) throw forbidden('Only owners and admins can invite members');
  const input = ZInviteInput.parse(args.input);
  const now = args.now ?? new Date();
  const existing = await prisma.membership.findFirst({ where: { teamId: args.teamId, user: { email: input.email } } });
  if (existing) throw conflict(`${input.email} is already a member of this team`, 'email');

  const token = randomBytes(24).toString('base64url');
  const [, invitation, team, inviter] = await prisma.$transaction(async (tx) => {
    // A new invitation to the same address replaces the pending one (revoked first, in order).
    const revoked = await tx.invitation.updateMany({
      where: { teamId: args.teamId, email: input.email, acceptedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    const result = await Promise.all([
      revoked,
      tx.invitation.create({
        data: {
          teamId: args.teamId,
          email: input.email,
          role: input.role,
          tokenHash: hashToken(token),
          invitedById: args.inviterId,
          expiresAt: new Date(now.getTime() + (args.ttlMs ?? INVITATION_TTL_MS)),
          createdAt: now,
        },
      }),
      tx.team.findUniqueOrThrow({ where: { id: args.teamId }, select: { name: true } }),
      tx.user.findUniqueOrThrow({ where: { id: args.inviterId }, select: { name: true } }),
    ]);
    await recordAudit(tx, {
      teamId: args.teamId,
      actorId: args.inviterId,
      action: 'invitation.created',
      targetType: 'invitation',
      targetId: result[1].id,
      details: { email: input.email, role: input.role },
    });
    return result;
  });
  const url = invitationUrl(token);
  console.info(`[invite] ${inviter.name} invited ${input.email} to "${team.name}" as ${input.role}: ${url}`);
  const mail = await sendMail({
    to: input.email,
    subject: `${inviter.name} invited you to ${team.name} on Deepboard`,
    text: `${inviter.name} invited you to join the team "${team.name}" on Deepboard as ${input.role.toLowerCase()}.\n\nAccept: ${url}\n\nThe link works once and expires on ${invitation.expiresAt.toUTCString()}.`,
  });
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    expiresAt: invitation.expiresAt,
    url,
    path: `/invite/${token}`,
    emailed: mail.sent,
  };
}

export async function listPendingInvitations(teamId: string, now = new Date()) {
  const rows = await prisma.invitation.findMany({
    where: { teamId, acceptedAt: null, revokedAt: null },
    include: { invitedBy: { select: { name: true } } },
    orderBy: { createdAt: 'desc' },
  });
  return rows.map((i) => ({
    id: i.id,
    email: i.email,
    role: i.role,
    invitedBy: i.invitedBy.name,
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
    expired: i.expiresAt <= now,
  }));
}

export async function revokeInvitation(args: { teamId: string; actorRole: Role; invitationId: string; actorId?: string }) {
  if (!can.manageMembers(args.actorRole)) throw forbidden('Only owners and admins can revoke invitations');
  return prisma.$transaction(async (tx) => {
    const res = await tx.invitation.updateMany({
      where: { id: args.invitationId, teamId: args.teamId, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (res.count === 0) throw badRequest('This invitation is no longer pending');
    const inv = await tx.invitation.findUniqueOrThrow({ where: { id: args.invitationId }, select: { email: true, role: true } });
    await recordAudit(tx, { teamId: args.teamId, actorId: args.actorId ?? null, action: 'invitation.revoked', targetType: 'invitation', targetId: args.invitationId, details: inv });
    return { id: args.invitationId };
  });
}

export type InvitationState = 'valid' | 'expired' | 'used' | 'revoked' | 'unknown';

export const INVITATION_MESSAGES: Record<Exclude<InvitationState, 'valid'>, string> = {
  expired: 'This invitation has expired. Ask a team admin for a new one.',
  used: 'This invitation has already been used. Ask a team admin for a new one if you still need to join.',
  revoked: 'This invitation was withdrawn. Ask a team admin for a new one.',
  unknown: 'This invitation link is not valid. Check that you copied the whole link.',
};

/** What the accept page shows before the user accepts. Needs only the token. */
export async function previewInvitation(token: string, now = new Date()) {
  const inv = await prisma.invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { team: { select: { name: true, slug: true } }, invitedBy: { select: { name: true } } },
  });
  if (!inv) return { state: 'unknown' as const };
  const state: InvitationState = inv.acceptedAt ? 'used' : inv.revokedAt ? 'revoked' : inv.expiresAt <= now ? 'expired' : 'valid';
  return {
    state,
    email: inv.email,
    role: inv.role,
    teamName: inv.team.name,
    teamSlug: inv.team.slug,
    invitedBy: inv.invitedBy.name,
    expiresAt: inv.expiresAt,
  };
}

/** Accepts an invitation for the signed-in user. Single use: a second accept is refused. */
export async function acceptInvitation(args: { userId: string; token: string; now?: Date }) {
  const now = args.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const inv = await tx.invitation.findUnique({ where: { tokenHash: hashToken(args.token) }, include: { team: true } });
    if (!inv) throw badRequest(INVITATION_MESSAGES.unknown);
    if (inv.acceptedAt) throw badRequest(INVITATION_MESSAGES.used);
    if (inv.revokedAt) throw badRequest(INVITATION_MESSAGES.revoked);
    if (inv.expiresAt <= now) throw badRequest(INVITATION_MESSAGES.expired);
    const user = await tx.user.findUniqueOrThrow({ where: { id: args.userId }, select: { email: true } });
    if (user.email !== inv.email) {
      throw new DomainError('FORBIDDEN', `This invitation was sent to ${inv.email}, but you are signed in as ${user.email}. Sign in with the invited address.`);
    }
    // Claim the invitation atomically so two concurrent accepts cannot both succeed.
    const claimed = await tx.invitation.updateMany({
      where: { id: inv.id, acceptedAt: null, revokedAt: null },
      data: { acceptedAt: now, acceptedById: args.userId },
    });
    if (claimed.count !== 1) throw badRequest(INVITATION_MESSAGES.used);
    const member = await tx.membership.findUnique({ where: { teamId_userId: { teamId: inv.teamId, userId: args.userId } } });
    if (!member) await tx.membership.create({ data: { teamId: inv.teamId, userId: args.userId, role: inv.role } });
    await recordAudit(tx, {
      teamId: inv.teamId,
      actorId: args.userId,
      action: 'invitation.accepted',
      targetType: 'invitation',
      targetId: inv.id,
      details: { email: inv.email, role: member?.role ?? inv.role },
    });
    return { teamId: inv.teamId, teamSlug: inv.team.slug, teamName: inv.team.name, role: member?.role ?? inv.role };
  });
}
