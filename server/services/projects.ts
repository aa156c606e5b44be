import { prisma } from '@/lib/db/client';
import { can } from '@/lib/roles';
import { slugify } from '@/lib/slug';
import { ZCreateProjectInput, type CreateProjectInput, type Role } from '@/lib/schemas/teams';
import { conflict, forbidden, notFound } from './errors';
import { freeSlug } from './teams';

const projectSelect = { id: true, name: true, slug: true, description: true, createdAt: true } as const;

export async function createProject(args: { teamId: string; userId: string; role: Role; input: CreateProjectInput }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot create projects');
  const data = ZCreateProjectInput.parse(args.input);
  const taken = async (slug: string) => !!(await prisma.project.findUnique({ where: { teamId_slug: { teamId: args.teamId, slug } }, select: { id: true } }));
  let slug: string;
  if (data.slug) {
    if (await taken(data.slug)) throw conflict(`This team already has a project at "${data.slug}"`, 'slug');
    slug = data.slug;
  } else slug = await freeSlug(slugify(data.name), taken);
  return prisma.project.create({
    data: { teamId: args.teamId, name: data.name, slug, description: data.description, createdById: args.userId },
    select: projectSelect,
  });
}

export async function listProjects(teamId: string) {
  return prisma.project.findMany({ where: { teamId }, orderBy: { createdAt: 'asc' }, select: projectSelect });
}

export async function getProjectBySlug(teamId: string, slug: string) {
  const p = await prisma.project.findUnique({
    where: { teamId_slug: { teamId, slug } },
    select: { ...projectSelect, createdBy: { select: { name: true, email: true } } },
  });
  if (!p) throw notFound('Project');
  return p;
}
