import { createPrismaClient } from '@/lib/db/client';
import { migrationStatus } from '@/lib/db/migrate';
import { prepareDatabase } from '@/lib/db/setup';
import { resolveDatabase } from '../../db/resolve';
import { seedDemo, DEMO } from '../../services/seed';
import { parseCommandArgs } from '../args';
import type { CliCommand, CliIO } from '../types';

async function withDatabase<T>(io: CliIO, fn: (url: string) => Promise<T>): Promise<T> {
  const db = await resolveDatabase({ startIfNeeded: true, log: (l) => io.stderr(l) });
  try {
    return await fn(db.url);
  } finally {
    await db.stop();
  }
}

export const dbMigrateCommand: CliCommand = {
  path: ['db', 'migrate'],
  summary: 'Apply pending migrations to DATABASE_URL (or the embedded database)',
  usage: 'deepboard db migrate [--json]',
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, this.usage);
    const res = await withDatabase(io, (url) => prepareDatabase(url, { log: values.json ? undefined : (l) => io.stdout(l) }));
    if (values.json) io.stdout(JSON.stringify(res));
    else io.stdout(res.applied.length ? `applied ${res.applied.length} migration(s)` : `database is up to date (${res.alreadyApplied} migration(s) applied)`);
    return 0;
  },
};

export const dbStatusCommand: CliCommand = {
  path: ['db', 'status'],
  summary: 'Show applied and pending migrations',
  usage: 'deepboard db status [--json]',
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, this.usage);
    const status = await withDatabase(io, (url) => migrationStatus(url));
    if (values.json) io.stdout(JSON.stringify(status));
    else {
      io.stdout(`applied: ${status.applied.length}`);
      for (const p of status.pending) io.stdout(`pending: ${p}`);
      for (const m of status.modified) io.stdout(`changed since applied: ${m}`);
      for (const f of status.failed) io.stdout(`failed: ${f}`);
    }
    return status.pending.length || status.failed.length ? 1 : 0;
  },
};

export const dbSeedCommand: CliCommand = {
  path: ['db', 'seed'],
  summary: `Create the demo team "${DEMO.team.name}" if it does not exist`,
  usage: 'deepboard db seed',
  async run(argv, io) {
    parseCommandArgs(argv, {}, this.usage);
    await withDatabase(io, async (url) => {
      await prepareDatabase(url);
      const prisma = createPrismaClient(url);
      try {
        const created = await seedDemo(prisma);
        io.stdout(created ? `created "${DEMO.team.name}" (sign in as ${DEMO.users[0]!.email} / ${DEMO.password})` : `"${DEMO.team.name}" already exists`);
      } finally {
        await prisma.$disconnect();
      }
    });
    return 0;
  },
};
