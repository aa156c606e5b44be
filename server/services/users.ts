import { prisma, sql } from '@/lib/db/client';
import { ZSignUpInput, type SignUpInput } from '@/lib/schemas/auth';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../auth/password';
import { DomainError, conflict } from './errors';

export interface PublicUser {
  id: string;
  email: string;
  name: string;
}

export async function signUp(input: SignUpInput): Promise<PublicUser> {
  const data = ZSignUpInput.parse(input);
  const existing = await prisma.user.findUnique({ where: { email: data.email }, select: { id: true } });
  if (existing) throw conflict('An account with this e-mail address already exists. Sign in instead.', 'email');
  const passwordHash = await hashPassword(data.password);
  try {
    return await prisma.user.create({
      data: { email: data.email, name: data.name, passwordHash },
      select: { id: true, email: true, name: true },
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') {
      throw conflict('An account with this e-mail address already exists. Sign in instead.', 'email');
    }
    throw err;
  }
}

/** Failed sign-ins allowed per e-mail address (and per client address) in the window. */
export const LOGIN_LIMIT = { maxFailures: 5, maxFailuresPerIp: 30, windowMs: 15 * 60 * 1000 };

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('TOO_MANY_REQUESTS', `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`);
  }
}

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('UNAUTHORIZED', 'Wrong e-mail address or password.');
  }
}

/**
 * Checks credentials with rate limiting kept in Postgres (so every web server shares the counts):
 * after LOGIN_LIMIT.maxFailures failures for an address within the window, further attempts are
 * refused until the oldest failure leaves the window — even with the right password.
 */
export async function authenticate(email: string, password: string, ip = ''): Promise<PublicUser> {
  const normalized = email.trim().toLowerCase();
  const since = new Date(Date.now() - LOGIN_LIMIT.windowMs);
  const [failures, ipFailures] = await Promise.all([
    prisma.loginAttempt.findMany({
      where: { email: normalized, success: false, createdAt: { gte: since } },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
    }),
    ip ? prisma.loginAttempt.count({ where: { ip, success: false, createdAt: { gte: since } } }) : Promise.resolve(0),
  ]);
  if (failures.length >= LOGIN_LIMIT.maxFailures || ipFailures >= LOGIN_LIMIT.maxFailuresPerIp) {
    const oldest = failures[0]?.createdAt ?? new Date();
    const retry = Math.max(1, Math.round((oldest.getTime() + LOGIN_LIMIT.windowMs - Date.now()) / 1000));
    throw new RateLimitedError(retry);
  }
  const user = await prisma.user.findUnique({ where: { email: normalized } });
  const ok = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
  await prisma.loginAttempt.create({ data: { email: normalized, ip, success: ok } });
  if (!user || !ok) throw new InvalidCredentialsError();
  return { id: user.id, email: user.email, name: user.name };
}

/** On every signed-in request: one plain query. */
export async function getUser(id: string): Promise<PublicUser | null> {
  const [user] = await sql<PublicUser>('SELECT id, email, name FROM "User" WHERE id = $1', [id], { name: 'user-by-id' });
  return user ?? null;
}
