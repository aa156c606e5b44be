import type { Prisma } from '@prisma/client';
import { prisma } from '@/lib/db/client';
import { checkArchitecture } from '@/lib/arch/infer';
import { importKerasJson, KerasImportError } from '@/lib/arch/keras-import';
import { exportKerasModels } from '@/lib/arch/keras';
import { diffArchitectures } from '@/lib/arch/diff';
import { ZArchitectureSpec, type ArchitectureSpec } from '@/lib/arch/spec';
import { can } from '@/lib/roles';
import { ZCreateArchitectureInput, ZForkInput, ZSaveVersionInput, type CreateArchitectureInput, type SaveVersionInput } from '@/lib/schemas/architectures';
import type { Role } from '@/lib/schemas/teams';
import { badRequest, conflict, forbidden, notFound } from './errors';

/**
 * Architectures and their immutable versions. Every spec is validated by the shared schema and
 * by shape inference before it is stored, so a stored version always builds.
 */

function validated(spec: ArchitectureSpec) {
  const res = checkArchitecture(spec);
  if (!res.ok) throw badRequest(res.issue.message, 'spec');
  return res.summary;
}

async function projectOfTeam(teamId: string, projectId: string) {
  const project = await prisma.project.findFirst({ where: { id: projectId, teamId }, select: { id: true } });
  if (!project) throw notFound('Project');
  return project;
}

async function architectureOfTeam(teamId: string, architectureId: string) {
  const arch = await prisma.architecture.findFirst({ where: { id: architectureId, teamId } });
  if (!arch) throw notFound('Architecture');
  return arch;
}

function uniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}

export async function createArchitecture(args: { teamId: string; userId: string; role: Role; input: CreateArchitectureInput; forkedFromId?: string }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot create architectures');
  const input = ZCreateArchitectureInput.parse(args.input);
  await projectOfTeam(args.teamId, input.projectId);
  const summary = validated(input.spec);
  try {
    return await prisma.architecture.create({
      data: {
        teamId: args.teamId,
        projectId: input.projectId,
        name: input.name,
        description: input.description,
        kind: input.spec.kind,
        latestVersion: 1,
        createdById: args.userId,
        forkedFromId: args.forkedFromId,
        versions: {
          create: {
            version: 1,
            spec: input.spec as Prisma.InputJsonValue,
            message: input.message,
            totalParams: summary.totalParams,
            trainableParams: summary.trainableParams,
            layerCount: summary.layers.length,
            createdById: args.userId,
          },
        },
      },
      select: { id: true, name: true, latestVersion: true, projectId: true },
    });
  } catch (err) {
    if (uniqueViolation(err)) throw conflict(`This project already has an architecture named "${input.name}"`, 'name');
    throw err;
  }
}

export async function saveVersion(args: { teamId: string; userId: string; role: Role; input: SaveVersionInput }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot save architectures');
  const input = ZSaveVersionInput.parse(args.input);
  const arch = await architectureOfTeam(args.teamId, input.architectureId);
  if (input.spec.kind !== arch.kind) throw badRequest(`This architecture is a ${arch.kind} model; a ${input.spec.kind} spec cannot be a version of it (fork it instead)`, 'spec');
  const summary = validated(input.spec);
  try {
    return await prisma.$transaction(async (tx) => {
      // Optimistic concurrency: only the editor that started from the latest version may save.
      const bumped = await tx.architecture.updateMany({
        where: { id: arch.id, latestVersion: input.baseVersion },
        data: { latestVersion: { increment: 1 } },
      });
      if (bumped.count !== 1) {
        const current = await tx.architecture.findUniqueOrThrow({ where: { id: arch.id }, select: { latestVersion: true } });
        throw conflict(`Version ${current.latestVersion} was saved since you opened version ${input.baseVersion}; reload to see it, or fork your changes`);
      }
      return tx.architectureVersion.create({
        data: {
          architectureId: arch.id,
          version: input.baseVersion + 1,
          spec: input.spec as Prisma.InputJsonValue,
          message: input.message,
          totalParams: summary.totalParams,
          trainableParams: summary.trainableParams,
          layerCount: summary.layers.length,
          createdById: args.userId,
        },
        select: { id: true, version: true },
      });
    });
  } catch (err) {
    if (uniqueViolation(err)) throw conflict('Another version was saved at the same moment; reload and try again');
    throw err;
  }
}

export async function listArchitectures(teamId: string, projectId?: string) {
  const rows = await prisma.architecture.findMany({
    where: { teamId, ...(projectId ? { projectId } : {}) },
    orderBy: { updatedAt: 'desc' },
    include: {
      createdBy: { select: { name: true } },
      versions: { orderBy: { version: 'desc' }, take: 1, select: { totalParams: true, layerCount: true, createdAt: true, message: true } },
    },
  });
  return rows.map((a) => ({
    id: a.id,
    name: a.name,
    description: a.description,
    kind: a.kind,
    projectId: a.projectId,
    latestVersion: a.latestVersion,
    createdBy: a.createdBy?.name ?? null,
    updatedAt: a.updatedAt,
    totalParams: a.versions[0]?.totalParams ?? 0,
    layerCount: a.versions[0]?.layerCount ?? 0,
    lastMessage: a.versions[0]?.message ?? '',
  }));
}

export async function getArchitecture(teamId: string, architectureId: string) {
  const arch = await prisma.architecture.findFirst({
    where: { id: architectureId, teamId },
    include: {
      createdBy: { select: { name: true } },
      project: { select: { id: true, name: true, slug: true } },
      forkedFrom: { select: { version: true, architecture: { select: { id: true, name: true } } } },
      versions: {
        orderBy: { version: 'desc' },
        select: { version: true, message: true, totalParams: true, trainableParams: true, layerCount: true, createdAt: true, createdBy: { select: { name: true } } },
      },
    },
  });
  if (!arch) throw notFound('Architecture');
  return {
    id: arch.id,
    name: arch.name,
    description: arch.description,
    kind: arch.kind,
    latestVersion: arch.latestVersion,
    project: arch.project,
    createdBy: arch.createdBy?.name ?? null,
    createdAt: arch.createdAt,
    forkedFrom: arch.forkedFrom ? { architectureId: arch.forkedFrom.architecture.id, name: arch.forkedFrom.architecture.name, version: arch.forkedFrom.version } : null,
    versions: arch.versions.map((v) => ({ ...v, createdBy: v.createdBy?.name ?? null })),
  };
}

export async function getVersion(teamId: string, architectureId: string, version?: number) {
  const arch = await architectureOfTeam(teamId, architectureId);
  const v = await prisma.architectureVersion.findUnique({
    where: { architectureId_version: { architectureId, version: version ?? arch.latestVersion } },
    include: { createdBy: { select: { name: true } } },
  });
  if (!v) throw notFound(`Version ${version} of this architecture`);
  const spec = ZArchitectureSpec.parse(v.spec);
  const check = checkArchitecture(spec);
  return {
    architectureId,
    name: arch.name,
    version: v.version,
    latestVersion: arch.latestVersion,
    message: v.message,
    createdAt: v.createdAt,
    createdBy: v.createdBy?.name ?? null,
    spec,
    summary: check.ok ? check.summary : null,
  };
}

export async function forkArchitecture(args: { teamId: string; userId: string; role: Role; input: unknown }) {
  const input = ZForkInput.parse(args.input);
  const source = await getVersion(args.teamId, input.architectureId, input.version);
  const arch = await architectureOfTeam(args.teamId, input.architectureId);
  const v = await prisma.architectureVersion.findUniqueOrThrow({
    where: { architectureId_version: { architectureId: arch.id, version: source.version } },
    select: { id: true },
  });
  return createArchitecture({
    teamId: args.teamId,
    userId: args.userId,
    role: args.role,
    forkedFromId: v.id,
    input: {
      projectId: input.projectId ?? arch.projectId,
      name: input.name,
      spec: source.spec,
      message: `Forked from ${arch.name} v${source.version}`,
      description: arch.description,
    },
  });
}

export async function diffVersions(teamId: string, architectureId: string, from: number, to: number) {
  const [a, b] = await Promise.all([getVersion(teamId, architectureId, from), getVersion(teamId, architectureId, to)]);
  return { from: { version: a.version, message: a.message }, to: { version: b.version, message: b.message }, diff: diffArchitectures(a.spec, b.spec) };
}

export function importKeras(json: string): ArchitectureSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw badRequest(`Not valid JSON: ${(err as Error).message}`, 'json');
  }
  try {
    return importKerasJson(parsed).spec;
  } catch (err) {
    if (err instanceof KerasImportError) throw badRequest(err.message, 'json');
    throw err;
  }
}

export async function exportKeras(teamId: string, architectureId: string, version?: number) {
  const v = await getVersion(teamId, architectureId, version);
  return exportKerasModels(v.spec);
}
