import { describe, expect, it } from 'vitest';
import { ZPassword, ZSignUpInput } from './auth';

describe('password rules', () => {
  it.each(['correct-horse-42', 'Tr0ub4dor&3x', 'a1b2c3d4e5f6'])('accepts %s', (p) => {
    expect(ZPassword.safeParse(p).success).toBe(true);
  });
  it.each([
    ['', /at least 10/],
    ['abc123', /at least 10/],
    ['onlyletters', /mix letters/],
    ['12345678901', /mix letters/],
    ['ab1ab1ab1ab1', /repetitive/],
  ])('refuses %j', (p, msg) => {
    const r = ZPassword.safeParse(p);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(msg);
  });
  it('normalises e-mail addresses', () => {
    expect(ZSignUpInput.parse({ name: ' Ana ', email: ' Ana@Lab.ORG ', password: 'correct-horse-42' })).toMatchObject({ name: 'Ana', email: 'ana@lab.org' });
  });
});
