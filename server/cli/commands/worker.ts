import { migrationStatus } from '@/lib/db/migrate';
import { runWorker } from '@/worker/main';
import { resolveDatabase } from '../../db/resolve';
import { parseCommandArgs } from '../args';
import type { CliCommand } from '../types';

export const workerCommand: CliCommand = {
  path: ['worker'],
  summary: 'Run a training worker against DATABASE_URL (or the running embedded database)',
  usage: 'deepboard worker [--name NAME]',
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { name: { type: 'string' } }, this.usage);
    const db = await resolveDatabase({ startIfNeeded: false });
    const status = await migrationStatus(db.url);
    if (status.pending.length) {
      throw new Error(`the database has ${status.pending.length} pending migration(s); run \`deepboard db migrate\` first`);
    }
    await runWorker({ databaseUrl: db.url, name: values.name, log: (l) => io.stdout(`[worker ${process.pid}] ${l}`) });
    return 0;
  },
};
