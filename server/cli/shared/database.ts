/** The database and worker of a command that trains (`deepboard train`, the benchmarks). */
import { disconnectPrisma } from '@/lib/db/client';
import { migrationStatus } from '@/lib/db/migrate';
import { prepareDatabase } from '@/lib/db/setup';
import { ignoreError } from '@/lib/log';
import { resolveDatabase } from '../../db/resolve';

/**
 * A worker in this process until `stop()`: the same runWorker as `deepboard worker`, with its
 * own and the queue's messages sent to `debug` (never stdout, which carries the report).
 */
export async function startInProcessWorker(databaseUrl: string, debug: (line: string) => void = () => {}) {
  const [{ runWorker }, { Logger }] = await Promise.all([import('@/worker/main'), import('graphile-worker')]);
  const controller = new AbortController();
  const queueLogger = new Logger(() => (level, message) => debug(`queue ${level}: ${message}`));
  const done = runWorker({ databaseUrl, signal: controller.signal, log: debug, queueLogger });
  let failure: unknown = null;
  done.catch((error) => (failure = error));
  return {
    failed: () => failure,
    stop: async () => {
      controller.abort();
      await done.catch(ignoreError('its failure is kept in `failure` above'));
    },
  };
}

/**
 * DATABASE_URL, else the running embedded database, else one started here (and migrated); the
 * process's Prisma client points at it until close(), which stops what was started.
 */
export async function openDatabase(log: (line: string) => void) {
  const db = await resolveDatabase({ startIfNeeded: true, log });
  const previousUrl = process.env.DATABASE_URL;
  const close = async () => {
    await disconnectPrisma();
    if (previousUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousUrl;
    await db.stop();
  };
  try {
    const status = await migrationStatus(db.url);
    if (status.pending.length) {
      if (db.kind !== 'embedded') throw new Error(`the database has ${status.pending.length} pending migration(s); run \`deepboard db migrate\` first`);
      await prepareDatabase(db.url);
    }
  } catch (error) {
    await close();
    throw error;
  }
  // The services use the process's one Prisma client, which follows DATABASE_URL.
  process.env.DATABASE_URL = db.url;
  return { url: db.url, close };
}
