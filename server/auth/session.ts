import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { auth } from './config';
import { getUser, type PublicUser } from '../services/users';

/**
 * Decoding a session (next-auth's encrypted JWT: a key derivation, a decryption and a fresh
 * encryption per call) costs more than most requests' real work. A session token names the same
 * user until it expires, so each web server keeps who a token belongs to for a minute (or until
 * the session expires, if sooner). Only signed-in tokens are kept; the user is still read from
 * the database on every request, so a deleted user is out at once.
 */
const SESSION_COOKIES = ['__Secure-authjs.session-token', 'authjs.session-token'];
const KEEP_MS = 60_000;
const MAX_ENTRIES = 10_000;
const sessions = new Map<string, { userId: string; until: number }>();

async function sessionToken(): Promise<string | null> {
  try {
    const jar = await cookies();
    for (const name of SESSION_COOKIES) {
      const v = jar.get(name)?.value;
      if (v) return v;
    }
  } catch {
    // Outside a request (a script, a test): no cookies, no cache.
  }
  return null;
}

async function sessionUserId(): Promise<string | null> {
  const token = await sessionToken();
  const now = Date.now();
  const hit = token ? sessions.get(token) : undefined;
  if (hit && hit.until > now) return hit.userId;
  const session = await auth();
  const id = session?.user?.id ?? null;
  if (token && id) {
    if (sessions.size >= MAX_ENTRIES) {
      // Drop the expired, then the oldest (a Map keeps insertion order).
      for (const [k, v] of sessions) if (v.until <= now) sessions.delete(k);
      for (const k of sessions.keys()) {
        if (sessions.size < MAX_ENTRIES) break;
        sessions.delete(k);
      }
    }
    const expires = session?.expires ? Date.parse(session.expires) : Number.POSITIVE_INFINITY;
    sessions.delete(token);
    sessions.set(token, { userId: id, until: Math.min(now + KEEP_MS, expires) });
  }
  return id;
}

/** The signed-in user, checked against the database once per request (deleted users are out). */
export const currentUser = cache(async (): Promise<PublicUser | null> => {
  const id = await sessionUserId();
  if (!id) return null;
  return getUser(id);
});

export async function requireUser(callbackPath?: string): Promise<PublicUser> {
  const user = await currentUser();
  if (!user) redirect(callbackPath ? `/sign-in?callbackUrl=${encodeURIComponent(callbackPath)}` : '/sign-in');
  return user;
}
