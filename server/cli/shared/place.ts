/** Where the CLI's datasets, architectures and runs go: team, owner, project (see server/cli/commands/train.ts). */
import { randomBytes } from 'node:crypto';
import { prisma } from '@/lib/db/client';
import { settingsFrom } from '@/lib/env';
import { slugify } from '@/lib/slug';
import { hashPassword } from '../../auth/password';
import { createProject } from '../../services/projects';
import { createTeam } from '../../services/teams';
import { UsageError } from '../types';

export const CLI_PROJECT_NAME = 'Command line';
export const CLI_USER = { email: 'cli@deepboard.local', name: 'Command line' } as const;

export interface Place {
  teamId: string;
  teamSlug: string;
  userId: string;
  projectId: string;
  projectSlug: string;
}

async function cliTeam(): Promise<{ id: string; slug: string }> {
  const user = await prisma.user.upsert({
    where: { email: CLI_USER.email },
    update: {},
    // Nobody signs in as this user: its password is random and thrown away.
    create: { email: CLI_USER.email, name: CLI_USER.name, passwordHash: await hashPassword(randomBytes(24).toString('hex')) },
  });
  const team = await createTeam(user.id, { name: CLI_PROJECT_NAME });
  return { id: team.id, slug: team.slug };
}

/** The team, owner and project `deepboard train` works in (see the top of this file). */
export async function resolvePlace(args: { team?: string; project?: string }, env: NodeJS.ProcessEnv): Promise<Place> {
  const wanted = args.team ?? settingsFrom(env).DEEPBOARD_TEAM;
  let team: { id: string; slug: string } | null;
  if (wanted) {
    team = await prisma.team.findUnique({ where: { slug: wanted }, select: { id: true, slug: true } });
    if (!team) {
      const slugs = (await prisma.team.findMany({ orderBy: { createdAt: 'asc' }, take: 20, select: { slug: true } })).map((t) => t.slug);
      const from = args.team ? '--team' : 'DEEPBOARD_TEAM';
      throw new UsageError(`no team '${wanted}' (${from}); ${slugs.length ? `the teams are: ${slugs.join(', ')}` : 'there are no teams yet'}`);
    }
  } else {
    team = (await prisma.team.findFirst({ orderBy: { createdAt: 'asc' }, select: { id: true, slug: true } })) ?? (await cliTeam());
  }
  const owner = await prisma.membership.findFirst({ where: { teamId: team.id, role: 'OWNER' }, orderBy: { createdAt: 'asc' }, select: { userId: true } });
  if (!owner) throw new Error(`team '${team.slug}' has no owner to attribute the run to`);
  let project: { id: string; slug: string } | null;
  if (args.project) {
    project = await prisma.project.findUnique({ where: { teamId_slug: { teamId: team.id, slug: args.project } }, select: { id: true, slug: true } });
    if (!project) {
      const slugs = (await prisma.project.findMany({ where: { teamId: team.id }, orderBy: { createdAt: 'asc' }, take: 20, select: { slug: true } })).map((p) => p.slug);
      throw new UsageError(`team '${team.slug}' has no project '${args.project}'${slugs.length ? `; its projects are: ${slugs.join(', ')}` : ''}`);
    }
  } else {
    project =
      (await prisma.project.findFirst({
        where: { teamId: team.id, OR: [{ slug: slugify(CLI_PROJECT_NAME) }, { name: CLI_PROJECT_NAME }] },
        orderBy: { createdAt: 'asc' },
        select: { id: true, slug: true },
      })) ??
      (await createProject({
        teamId: team.id,
        userId: owner.userId,
        role: 'OWNER',
        input: { name: CLI_PROJECT_NAME, description: 'Datasets, architectures and runs made with `deepboard train`' },
      }));
  }
  return { teamId: team.id, teamSlug: team.slug, userId: owner.userId, projectId: project.id, projectSlug: project.slug };
}
