import { ConflictError, ForbiddenError, NotFoundError } from '@/lib/errors';
import { ZEmail, ZPassword } from '@/lib/schemas/auth';
import { ZApiKeyName } from '@/lib/schemas/api-keys';
import { ZSlug } from '@/lib/schemas/teams';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand } from '../types';
import { openDatabase } from '../shared/database';

/**
 * Administration without the web UI (first user of a fresh install, CI keys): against
 * DATABASE_URL or the embedded database, through the same services as the web app.
 */

function required(values: Record<string, unknown>, name: string, usage: string): string {
  const v = values[name];
  if (typeof v !== 'string' || !v.trim()) throw new UsageError(`--${name} is required; usage: ${usage}`);
  return v;
}

function check<T>(schema: { safeParse: (v: unknown) => { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } } }, value: unknown, flag: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`--${flag}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export const adminCreateUserCommand: CliCommand = {
  path: ['admin', 'create-user'],
  summary: 'Create a user as the owner of a team (the team is created if needed)',
  usage: 'deepboard admin create-user --email E --password P --team SLUG [--name NAME] [--json]',
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { email: { type: 'string' }, password: { type: 'string' }, team: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } }, this.usage);
    const email = check(ZEmail, required(values, 'email', this.usage), 'email');
    const password = check(ZPassword, required(values, 'password', this.usage), 'password');
    const slug = check(ZSlug, required(values, 'team', this.usage), 'team');
    const name = values.name?.trim() || email.split('@')[0]!;
    const db = await openDatabase((l) => io.stderr(l));
    try {
      const { prisma } = await import('@/lib/db/client');
      const { signUp } = await import('../../services/users');
      if (await prisma.user.findUnique({ where: { email }, select: { id: true } })) throw new ConflictError(`a user with e-mail ${email} already exists`);
      const user = await signUp({ name, email, password });
      let team = await prisma.team.findUnique({ where: { slug }, select: { id: true, slug: true, name: true } });
      const createdTeam = !team;
      if (team) await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: 'OWNER' } });
      else {
        const { createTeam } = await import('../../services/teams');
        const t = await createTeam(user.id, { name: slug, slug });
        team = { id: t.id, slug: t.slug, name: t.name };
      }
      const out = { user: { id: user.id, email: user.email, name: user.name }, team: { id: team.id, slug: team.slug, name: team.name, created: createdTeam }, role: 'OWNER' as const };
      if (values.json) io.stdout(JSON.stringify(out));
      else io.stdout(`created user ${user.email} as owner of ${createdTeam ? 'new ' : ''}team ${team.slug}`);
      return 0;
    } finally {
      await db.close();
    }
  },
};

export const adminCreateApiKeyCommand: CliCommand = {
  path: ['admin', 'create-api-key'],
  summary: 'Create an API key for a team member; the key is printed alone on the last line',
  usage: 'deepboard admin create-api-key --email E --team SLUG [--name NAME] [--expires-in-days N] [--json]',
  async run(argv, io) {
    const { values } = parseCommandArgs(
      argv,
      { email: { type: 'string' }, team: { type: 'string' }, name: { type: 'string' }, 'expires-in-days': { type: 'string' }, json: { type: 'boolean' } },
      this.usage,
    );
    const email = check(ZEmail, required(values, 'email', this.usage), 'email');
    const slug = required(values, 'team', this.usage).trim();
    const name = check(ZApiKeyName, values.name ?? `cli ${new Date().toISOString().slice(0, 10)}`, 'name');
    let expiresInDays: number | undefined;
    if (values['expires-in-days'] !== undefined) {
      expiresInDays = Number(values['expires-in-days']);
      if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650) throw new UsageError('--expires-in-days must be a whole number from 1 to 3650');
    }
    const db = await openDatabase((l) => io.stderr(l));
    try {
      const { prisma } = await import('@/lib/db/client');
      const { createApiKey } = await import('../../services/api-keys');
      const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true } });
      if (!user) throw new NotFoundError(`no user with e-mail ${email}; create one with 'deepboard admin create-user'`);
      const team = await prisma.team.findUnique({ where: { slug }, select: { id: true, slug: true } });
      if (!team) throw new NotFoundError(`no team with slug '${slug}'`);
      const membership = await prisma.membership.findUnique({ where: { teamId_userId: { teamId: team.id, userId: user.id } }, select: { role: true } });
      if (!membership) throw new ForbiddenError(`${email} is not a member of team ${slug}`);
      const key = await createApiKey({ userId: user.id, teamId: team.id, name, expiresInDays });
      if (values.json) io.stdout(JSON.stringify({ id: key.id, name: key.name, team: team.slug, user: user.email, role: membership.role, expiresAt: key.expiresAt }));
      else io.stdout(`created API key "${key.name}" for ${user.email} in team ${team.slug} (${membership.role.toLowerCase()}); it is shown only now:`);
      io.stdout(key.key);
      return 0;
    } finally {
      await db.close();
    }
  },
};
