import { describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { adminCreateApiKeyCommand, adminCreateUserCommand } from '@/server/cli/commands/admin';
import { runCli } from '@/server/cli/main';
import { expectUsageError } from '@/server/cli/test-io';
import type { CliIO } from '@/server/cli/types';
import { authenticateApiKey } from '@/server/services/api-keys';
import { verifyPassword } from '@/server/auth/password';
import { uid } from '../helpers/factories';

/** Collects printed lines, as bin/deepboard.mjs prints each call on its own line. */
function lineIo(): CliIO & { lines: string[]; errs: string[] } {
  const io = { lines: [] as string[], errs: [] as string[], env: { ...process.env }, cwd: process.cwd(), stdout: (t: string) => void io.lines.push(t), stderr: (t: string) => void io.errs.push(t) };
  return io;
}

describe('deepboard admin', () => {
  it('create-user makes the team and its owner; create-api-key prints a working key on its last line', async () => {
    const email = `${uid('admin')}@example.test`;
    const slug = uid('team').toLowerCase();
    const io = lineIo();
    expect(await runCli(['admin', 'create-user', '--email', email, '--password', 'secret-pass-1', '--team', slug, '--json'], io)).toBe(0);
    const out = JSON.parse(io.lines.at(-1)!);
    expect(out).toMatchObject({ user: { email }, team: { slug, created: true }, role: 'OWNER' });
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect(await verifyPassword(user.passwordHash, 'secret-pass-1')).toBe(true);

    // A second user joins the existing team, also as owner.
    const email2 = `${uid('admin2')}@example.test`;
    const io2 = lineIo();
    expect(await runCli(['admin', 'create-user', '--email', email2, '--password', 'secret-pass-2', '--team', slug], io2)).toBe(0);
    expect(io2.lines.at(-1)).toBe(`created user ${email2} as owner of team ${slug}`);
    const team = await prisma.team.findUniqueOrThrow({ where: { slug }, include: { memberships: true } });
    expect(team.memberships.map((m) => m.role)).toEqual(['OWNER', 'OWNER']);

    const io3 = lineIo();
    expect(await runCli(['admin', 'create-api-key', '--email', email, '--team', slug, '--name', 'ci'], io3)).toBe(0);
    const key = io3.lines.at(-1)!;
    expect(key).toMatch(/^dbk_[A-Za-z0-9]{40}$/);
    expect(await authenticateApiKey(key)).toMatchObject({ teamId: team.id, role: 'OWNER' });
    expect((await prisma.apiKey.findFirstOrThrow({ where: { teamId: team.id } })).name).toBe('ci');

    const io4 = lineIo();
    expect(await runCli(['admin', 'create-user', '--email', email, '--password', 'secret-pass-1', '--team', slug], io4)).toBe(1);
    expect(io4.errs.at(-1)).toMatch(/already exists/);
  });

  it('gives clear errors for unknown users, teams and non-members', async () => {
    const email = `${uid('nobody')}@example.test`;
    const io = lineIo();
    expect(await runCli(['admin', 'create-api-key', '--email', email, '--team', 'no-such-team'], io)).toBe(1);
    expect(io.errs.at(-1)).toBe(`deepboard: error: no user with e-mail ${email}; create one with 'deepboard admin create-user'`);
    const slug = uid('t').toLowerCase();
    await runCli(['admin', 'create-user', '--email', email, '--password', 'secret-pass-1', '--team', slug], lineIo());
    const io2 = lineIo();
    expect(await runCli(['admin', 'create-api-key', '--email', email, '--team', 'no-such-team-x'], io2)).toBe(1);
    expect(io2.errs.at(-1)).toBe("deepboard: error: no team with slug 'no-such-team-x'");
    const other = uid('o').toLowerCase();
    await runCli(['admin', 'create-user', '--email', `${uid('x')}@example.test`, '--password', 'secret-pass-1', '--team', other], lineIo());
    const io3 = lineIo();
    expect(await runCli(['admin', 'create-api-key', '--email', email, '--team', other], io3)).toBe(1);
    expect(io3.errs.at(-1)).toMatch(/is not a member of team/);
  });

  it('exits 2 with one line on bad usage', async () => {
    const cwd = process.cwd();
    expect((await expectUsageError(adminCreateUserCommand, ['--email', 'a@b.test', '--team', 'x1'], cwd)).message).toMatch(/--password is required/);
    expect((await expectUsageError(adminCreateUserCommand, ['--email', 'not-an-email', '--password', 'secret-pass-1', '--team', 'ok'], cwd)).message).toMatch(/--email/);
    expect((await expectUsageError(adminCreateUserCommand, ['--email', 'a@b.test', '--password', 'short', '--team', 'ok'], cwd)).message).toMatch(/--password/);
    expect((await expectUsageError(adminCreateUserCommand, ['--email', 'a@b.test', '--password', 'secret-pass-1', '--team', 'Bad Slug'], cwd)).message).toMatch(/--team/);
    expect((await expectUsageError(adminCreateApiKeyCommand, ['--email', 'a@b.test'], cwd)).message).toMatch(/--team is required/);
    expect((await expectUsageError(adminCreateApiKeyCommand, ['--email', 'a@b.test', '--team', 'x', '--bogus'], cwd)).message).toMatch(/bogus/);
    expect((await expectUsageError(adminCreateApiKeyCommand, ['--email', 'a@b.test', '--team', 'x', '--expires-in-days', '0'], cwd)).message).toMatch(/expires-in-days/);
    const io = lineIo();
    expect(await runCli(['admin'], io)).toBe(2);
    expect(io.errs.at(-1)).toMatch(/'admin' needs a subcommand; one of: create-user, create-api-key/);
  });
});
