import type { Prisma } from '@prisma/client';
import { prisma, sql } from '@/lib/db/client';
import { can } from '@/lib/roles';
import { slugify } from '@/lib/slug';
import { ZCreateTeamInput, type CreateTeamInput, type Role } from '@/lib/schemas/teams';
import { recordAudit } from './audit';
import { badRequest, conflict, forbidden, notFound } from './errors';

export interface TeamSummary {
  id: string;
  name: string;
  slug: string;
  role: Role;
}

/** A free slug: the wanted one, or the wanted one with the lowest free numeric suffix. */
export async function freeSlug(wanted: string, taken: (slug: string) => Promise<boolean>): Promise<string> {
  if (!(await taken(wanted))) return wanted;
  for (let i = 2; i < 1000; i++) {
    const candidate = `${wanted.slice(0, 44)}-${i}`;
    if (!(await taken(candidate))) return candidate;
  }
  throw conflict('Could not find a free name; choose another', 'slug');
}

export async function createTeam(userId: string, input: CreateTeamInput, tx: Prisma.TransactionClient = prisma): Promise<TeamSummary> {
  const data = ZCreateTeamInput.parse(input);
  let slug: string;
  if (data.slug) {
    if (await tx.team.findUnique({ where: { slug: data.slug }, select: { id: true } })) {
      throw conflict(`The address "${data.slug}" is already used by another team`, 'slug');
    }
    slug = data.slug;
  } else {
    slug = await freeSlug(slugify(data.name), async (s) => !!(await tx.team.findUnique({ where: { slug: s }, select: { id: true } })));
  }
  const team = await tx.team.create({
    data: { name: data.name, slug, memberships: { create: { userId, role: 'OWNER' } } },
  });
  return { id: team.id, name: team.name, slug: team.slug, role: 'OWNER' };
}

export async function listTeamsOf(userId: string): Promise<TeamSummary[]> {
  const rows = await prisma.membership.findMany({
    where: { userId },
    include: { team: true },
    orderBy: { team: { name: 'asc' } },
  });
  return rows.map((m) => ({ id: m.team.id, name: m.team.name, slug: m.team.slug, role: m.role }));
}

/** On every team-scoped request: one plain query. */
export async function membershipOf(userId: string, teamId: string): Promise<{ role: Role } | null> {
  const [m] = await sql<{ role: Role }>('SELECT role::text AS role FROM "Membership" WHERE "teamId" = $1 AND "userId" = $2', [teamId, userId], { name: 'membership-role' });
  return m ?? null;
}

/** The team behind a URL slug, only if the user belongs to it (else null: no existence leak). */
export async function teamBySlugFor(userId: string, slug: string): Promise<TeamSummary | null> {
  const m = await prisma.membership.findFirst({ where: { userId, team: { slug } }, include: { team: true } });
  return m ? { id: m.team.id, name: m.team.name, slug: m.team.slug, role: m.role } : null;
}

export async function renameTeam(teamId: string, actorRole: Role, name: string) {
  if (!can.manageMembers(actorRole)) throw forbidden('Only owners and admins can rename the team');
  return prisma.team.update({ where: { id: teamId }, data: { name }, select: { id: true, name: true, slug: true } });
}

export async function listMembers(teamId: string) {
  const rows = await prisma.membership.findMany({
    where: { teamId },
    include: { user: { select: { id: true, name: true, email: true } } },
    orderBy: [{ createdAt: 'asc' }],
  });
  return rows.map((m) => ({ userId: m.user.id, name: m.user.name, email: m.user.email, role: m.role, joinedAt: m.createdAt }));
}

async function ownerCount(tx: Prisma.TransactionClient, teamId: string) {
  return tx.membership.count({ where: { teamId, role: 'OWNER' } });
}

export async function changeRole(args: { teamId: string; actorId: string; actorRole: Role; userId: string; role: Role }) {
  const { teamId, actorRole, userId, role } = args;
  if (!can.manageMembers(actorRole)) throw forbidden('Only owners and admins can change roles');
  return prisma.$transaction(async (tx) => {
    const target = await tx.membership.findUnique({ where: { teamId_userId: { teamId, userId } } });
    if (!target) throw notFound('Member');
    if ((target.role === 'OWNER' || role === 'OWNER') && !can.manageOwners(actorRole)) {
      throw forbidden('Only owners can grant or change the owner role');
    }
    if (target.role === 'OWNER' && role !== 'OWNER' && (await ownerCount(tx, teamId)) <= 1) {
      throw badRequest('A team needs at least one owner: make someone else owner first');
    }
    await tx.membership.update({ where: { id: target.id }, data: { role } });
    await recordAudit(tx, { teamId, actorId: args.actorId, action: 'member.role_changed', targetType: 'user', targetId: userId, details: { from: target.role, to: role } });
    return { userId, role };
  });
}

/** Removes a member; members may remove themselves (leave). The last owner can do neither. */
export async function removeMember(args: { teamId: string; actorId: string; actorRole: Role; userId: string }) {
  const { teamId, actorId, actorRole, userId } = args;
  const leaving = actorId === userId;
  if (!leaving && !can.manageMembers(actorRole)) throw forbidden('Only owners and admins can remove members');
  return prisma.$transaction(async (tx) => {
    const target = await tx.membership.findUnique({ where: { teamId_userId: { teamId, userId } } });
    if (!target) throw notFound('Member');
    if (target.role === 'OWNER' && !leaving && !can.manageOwners(actorRole)) throw forbidden('Only owners can remove an owner');
    if (target.role === 'OWNER' && (await ownerCount(tx, teamId)) <= 1) {
      throw badRequest(leaving ? 'You are the last owner: make someone else owner before leaving' : 'A team needs at least one owner');
    }
    await tx.membership.delete({ where: { id: target.id } });
    await recordAudit(tx, { teamId, actorId, action: leaving ? 'member.left' : 'member.removed', targetType: 'user', targetId: userId, details: { role: target.role } });
    return { userId };
  });
}
