import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { prisma } from '@/lib/db/client';
import { DomainError } from '@/server/services/errors';
import { authenticate, InvalidCredentialsError, LOGIN_LIMIT, RateLimitedError, signUp } from '@/server/services/users';
import { TEST_PASSWORD, makeUser, uid } from '../helpers/factories';

describe('sign-up', () => {
  it('stores an argon2id hash, never the password', async () => {
    const user = await makeUser();
    const row = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(TEST_PASSWORD);
  });

  it('refuses a duplicate e-mail address, whatever its case', async () => {
    const email = `${uid('dup')}@example.test`;
    await signUp({ name: 'A', email, password: TEST_PASSWORD });
    const err = await signUp({ name: 'B', email: email.toUpperCase(), password: TEST_PASSWORD }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'CONFLICT', field: 'email' });
  });

  it.each([
    ['short1!', /at least 10/],
    ['abcdefghijkl', /mix letters/],
    ['1234567890123', /mix letters/],
    ['aaaaaaaaa111', /repetitive/],
  ])('refuses the weak password %s', async (password, message) => {
    const err = await signUp({ name: 'W', email: `${uid('weak')}@example.test`, password }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZodError);
    expect((err as ZodError).issues[0]!.message).toMatch(message);
  });
});

describe('sign-in', () => {
  it('accepts the right password and refuses a wrong one, recording attempts', async () => {
    const user = await makeUser();
    await expect(authenticate(user.email, TEST_PASSWORD)).resolves.toMatchObject({ id: user.id });
    await expect(authenticate(user.email, 'wrong-password-1')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(authenticate(`nobody-${uid()}@example.test`, 'whatever-123')).rejects.toBeInstanceOf(InvalidCredentialsError);
    const attempts = await prisma.loginAttempt.findMany({ where: { email: user.email }, orderBy: { createdAt: 'asc' } });
    expect(attempts.map((a) => a.success)).toEqual([true, false]);
  });

  it('locks an address after repeated failures, even for the right password', async () => {
    const user = await makeUser();
    for (let i = 0; i < LOGIN_LIMIT.maxFailures; i++) {
      await expect(authenticate(user.email, `wrong-${i}-password`)).rejects.toBeInstanceOf(InvalidCredentialsError);
    }
    const err = await authenticate(user.email, TEST_PASSWORD).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    // Failures older than the window no longer count.
    await prisma.loginAttempt.updateMany({ where: { email: user.email }, data: { createdAt: new Date(Date.now() - LOGIN_LIMIT.windowMs - 1000) } });
    await expect(authenticate(user.email, TEST_PASSWORD)).resolves.toMatchObject({ id: user.id });
  });
});
