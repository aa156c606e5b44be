import path from 'node:path';
import { env } from './env';

/**
 * The installation's root folder (where package.json and prisma/ live). bin/deepboard.mjs sets
 * DEEPBOARD_ROOT; the Next server and tests run with the root as their working directory.
 */
export function projectRoot(): string {
  return env().DEEPBOARD_ROOT ?? process.cwd();
}

/** Where Deepboard keeps its own state (embedded database, secret, artifacts). */
export function dataDir(): string {
  return path.resolve(projectRoot(), env().DEEPBOARD_DATA_DIR);
}
