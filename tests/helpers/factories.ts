import { randomBytes } from 'node:crypto';
import type { Role } from '@/lib/schemas/teams';
import { prisma } from '@/lib/db/client';
import { createCaller } from '@/server/api/root';
import type { Context } from '@/server/api/trpc';
import { createTeam } from '@/server/services/teams';
import { signUp, type PublicUser } from '@/server/services/users';

/** Unique names so tests never collide, and each test creates what it needs. */
export function uid(prefix = 'x'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export const TEST_PASSWORD = 'correct-horse-42';

export async function makeUser(name = 'Test User'): Promise<PublicUser> {
  return signUp({ name, email: `${uid('user')}@example.test`, password: TEST_PASSWORD });
}

export async function makeTeam(owner?: PublicUser) {
  const user = owner ?? (await makeUser('Owner'));
  const team = await createTeam(user.id, { name: `Team ${uid('t')}` });
  return { owner: user, team };
}

export async function addMember(teamId: string, role: Role, user?: PublicUser): Promise<PublicUser> {
  const u = user ?? (await makeUser(role.toLowerCase()));
  await prisma.membership.create({ data: { teamId, userId: u.id, role } });
  return u;
}

export function callerFor(user: PublicUser | null) {
  const ctx: Context = { user, headers: new Headers() };
  return createCaller(ctx);
}
