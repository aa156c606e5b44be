import { randomBytes } from 'node:crypto';
import { prisma } from '@/lib/db/client';
import { createTeam } from '@/server/services/teams';
import { signUp } from '@/server/services/users';

/** What the benchmarks seed: one user who owns one team with one project. */
export interface BenchPlace {
  userId: string;
  email: string;
  password: string;
  teamId: string;
  projectId: string;
}

export const BENCH_PASSWORD = 'bench-password-42';

export async function makePlace(): Promise<BenchPlace> {
  const email = `bench-${randomBytes(4).toString('hex')}@example.test`;
  const user = await signUp({ name: 'Bench', email, password: BENCH_PASSWORD });
  const team = await createTeam(user.id, { name: `Bench ${randomBytes(3).toString('hex')}` });
  const project = await prisma.project.create({ data: { teamId: team.id, name: 'Bench', slug: `bench-${randomBytes(3).toString('hex')}`, createdById: user.id } });
  return { userId: user.id, email, password: BENCH_PASSWORD, teamId: team.id, projectId: project.id };
}

/** `count` bare runs (no architecture, no data) in one statement; returns their ids in number order. */
export async function makeRuns(place: BenchPlace, count: number, opts: { status?: string; paradigm?: string } = {}): Promise<string[]> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "Run" (id, "teamId", "projectId", number, name, status, paradigm, config, tags, "createdById", "updatedAt")
    SELECT 'bench' || md5(random()::text || i::text), ${place.teamId}, ${place.projectId},
           COALESCE((SELECT max(number) FROM "Run" WHERE "projectId" = ${place.projectId}), 0) + i,
           'run ' || i, ${opts.status ?? 'SUCCEEDED'}::"RunStatus", ${opts.paradigm ?? 'supervised'}, '{}'::jsonb, ARRAY[]::text[], ${place.userId}, now()
    FROM generate_series(1, ${count}::int) AS i
    RETURNING id`;
  return rows.map((r) => r.id);
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}
