import { currentUser } from '../auth/session';
import type { Context } from './trpc';

export async function createContext(opts: { headers: Headers }): Promise<Context> {
  return { user: await currentUser(), headers: opts.headers };
}
