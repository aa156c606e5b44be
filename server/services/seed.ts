import type { PrismaClient } from '@prisma/client';
import { hashPassword } from '../auth/password';

/** The demo data created on an installation's first start: a team of two, with a project. */
export const DEMO = {
  team: { name: 'Demo Lab', slug: 'demo-lab' },
  password: 'deepboard-demo-1',
  users: [
    { email: 'ana@demo.deepboard.dev', name: 'Ana Ruiz', role: 'OWNER' as const },
    { email: 'ben@demo.deepboard.dev', name: 'Ben Okafor', role: 'MEMBER' as const },
  ],
  project: { name: 'Credit scoring', slug: 'credit-scoring', description: 'Loan-approval models and their fairness across groups' },
};

/** Creates the demo team unless it exists; returns whether it created anything. */
export async function seedDemo(prisma: PrismaClient): Promise<boolean> {
  if (await prisma.team.findUnique({ where: { slug: DEMO.team.slug } })) return false;
  const passwordHash = await hashPassword(DEMO.password);
  await prisma.$transaction(async (tx) => {
    const team = await tx.team.create({ data: DEMO.team });
    let ownerId: string | undefined;
    for (const u of DEMO.users) {
      const user = await tx.user.upsert({
        where: { email: u.email },
        update: {},
        create: { email: u.email, name: u.name, passwordHash },
      });
      ownerId ??= user.id;
      await tx.membership.create({ data: { teamId: team.id, userId: user.id, role: u.role } });
    }
    await tx.project.create({ data: { ...DEMO.project, teamId: team.id, createdById: ownerId } });
  });
  return true;
}

/** A first start is a database without any user: only then is the demo seeded automatically. */
export async function isFirstStart(prisma: PrismaClient): Promise<boolean> {
  return (await prisma.user.count()) === 0;
}
