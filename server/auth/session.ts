import { cache } from 'react';
import { redirect } from 'next/navigation';
import { auth } from './config';
import { getUser, type PublicUser } from '../services/users';

/** The signed-in user, checked against the database once per request (deleted users are out). */
export const currentUser = cache(async (): Promise<PublicUser | null> => {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  return getUser(id);
});

export async function requireUser(callbackPath?: string): Promise<PublicUser> {
  const user = await currentUser();
  if (!user) redirect(callbackPath ? `/sign-in?callbackUrl=${encodeURIComponent(callbackPath)}` : '/sign-in');
  return user;
}
