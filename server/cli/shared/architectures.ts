import { ZArchitectureSpec, type ArchitectureSpec } from '@/lib/arch/spec';
import { prisma } from '@/lib/db/client';
import { isUserError } from '@/lib/errors';
import { createArchitecture, saveVersion } from '../../services/architectures';
import { UsageError } from '../types';
import type { Place } from './place';

/** JSON with sorted keys, so specs that went through Postgres jsonb compare equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** Data problems found by the services (bad CSV, unfit architecture) are usage errors: exit 2. */
export function asUsage(prefix: string) {
  return (error: unknown): never => {
    if (isUserError(error) && error.mapping.exit === 2) {
      throw new UsageError(`${prefix}: ${error.message}`);
    }
    throw error;
  };
}

/**
 * Finds or stores `spec` under `base` in the project: a version with the identical spec is
 * reused, a new spec becomes the next version, and a name held by another kind of architecture
 * moves on to `base-2`, `base-3` …
 */
export async function saveArchitecture(args: { place: Place; base: string; spec: ArchitectureSpec; description: string; errorPrefix: string }) {
  const { place, spec } = args;
  const wanted = canonical(spec);
  for (let i = 1; i < 100; i++) {
    const name = (i === 1 ? args.base : `${args.base.slice(0, 76)}-${i}`).slice(0, 80);
    const existing = await prisma.architecture.findUnique({ where: { projectId_name: { projectId: place.projectId, name } } });
    if (!existing) {
      const created = await createArchitecture({
        teamId: place.teamId,
        userId: place.userId,
        role: 'OWNER',
        input: { projectId: place.projectId, name, description: args.description, message: 'deepboard train', spec },
      }).catch(asUsage(args.errorPrefix));
      return { id: created.id, name, version: created.latestVersion, reused: false };
    }
    if (existing.kind !== spec.kind) continue;
    const versions = await prisma.architectureVersion.findMany({ where: { architectureId: existing.id }, orderBy: { version: 'desc' }, select: { version: true, spec: true } });
    const same = versions.find((v) => {
      const stored = ZArchitectureSpec.safeParse(v.spec);
      return stored.success && canonical(stored.data) === wanted;
    });
    if (same) return { id: existing.id, name, version: same.version, reused: true };
    const saved = await saveVersion({
      teamId: place.teamId,
      userId: place.userId,
      role: 'OWNER',
      input: { architectureId: existing.id, baseVersion: existing.latestVersion, spec, message: 'deepboard train: changed spec' },
    }).catch(asUsage(args.errorPrefix));
    return { id: existing.id, name, version: saved.version, reused: false };
  }
  throw new Error(`could not find a free architecture name after '${args.base}'`);
}
