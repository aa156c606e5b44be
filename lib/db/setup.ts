import { installQueueSchema } from '../queue';
import { migrate, type MigrateResult } from './migrate';

/** Everything a database needs before Deepboard runs on it: our migrations and the queue's schema. */
export async function prepareDatabase(connectionString: string, opts: { log?: (line: string) => void } = {}): Promise<MigrateResult> {
  const result = await migrate(connectionString, opts);
  await installQueueSchema(connectionString);
  return result;
}
