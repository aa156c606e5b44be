import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasRole } from '@/lib/roles';
import type { Role } from '@/lib/schemas/teams';
import { appRouter } from '@/server/api/root';
import type { Meta } from '@/server/api/trpc';
import { createInvitation } from '@/server/services/invitations';
import { addMember, callerFor, makeTeam, makeUser } from '../helpers/factories';

/**
 * Walks every procedure of the router (so procedures added later are covered automatically) and
 * calls it as an anonymous caller, as a member of another team, and as each role of the team
 * below what the procedure needs. Every call must be refused, with nothing of the team returned.
 */

interface ProcedureLike {
  _def: { meta?: Meta; type: 'query' | 'mutation' | 'subscription' };
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureLike>).map(([path, p]) => ({
  path,
  meta: p._def.meta,
  type: p._def.type,
}));

/** Inputs for procedures that are not team-scoped (their access rule is checked separately). */
const SAMPLE_INPUTS: Record<string, (ctx: { token: string }) => unknown> = {
  'users.me': () => undefined,
  'teams.mine': () => undefined,
  'teams.create': () => ({ name: 'Probe team' }),
  'invitations.accept': ({ token }) => ({ token }),
  'invitations.preview': ({ token }) => ({ token }),
};

function call(caller: ReturnType<typeof callerFor>, path: string, input: unknown): Promise<unknown> {
  const fn = path.split('.').reduce<unknown>((obj, key) => (obj as Record<string, unknown>)[key], caller) as (i: unknown) => Promise<unknown>;
  return fn(input);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    return err instanceof TRPCError ? err.code : `THREW ${(err as Error).message}`;
  }
}

let teamA: Awaited<ReturnType<typeof makeTeam>>;
let outsider: Awaited<ReturnType<typeof makeUser>>;
let membersByRole: Record<Role, Awaited<ReturnType<typeof makeUser>>>;
let tokenForA: string;

beforeAll(async () => {
  teamA = await makeTeam();
  const teamB = await makeTeam();
  outsider = teamB.owner;
  membersByRole = {
    OWNER: teamA.owner,
    ADMIN: await addMember(teamA.team.id, 'ADMIN'),
    MEMBER: await addMember(teamA.team.id, 'MEMBER'),
    VIEWER: await addMember(teamA.team.id, 'VIEWER'),
  };
  const inv = await createInvitation({ teamId: teamA.team.id, inviterId: teamA.owner.id, inviterRole: 'OWNER', input: { email: 'probe@example.test', role: 'MEMBER' } });
  tokenForA = inv.path.split('/').pop()!;
});

describe('tRPC access control', () => {
  it('finds procedures to probe, each with a declared scope', () => {
    expect(procedures.length).toBeGreaterThan(10);
    for (const p of procedures) expect(p.meta?.scope, `${p.path} has no scope`).toMatch(/^(public|user|team)$/);
  });

  const teamScoped = procedures.filter((p) => p.meta?.scope === 'team');
  const userScoped = procedures.filter((p) => p.meta?.scope === 'user');

  it.each(teamScoped.map((p) => [p.path, p]))('%s refuses anonymous callers and members of other teams', async (_path, p) => {
    const input = { teamId: teamA.team.id };
    expect(await codeOf(call(callerFor(null), p.path, input))).toBe('UNAUTHORIZED');
    expect(await codeOf(call(callerFor(outsider), p.path, input))).toBe('FORBIDDEN');
    // A made-up team id is refused the same way (no existence oracle).
    expect(await codeOf(call(callerFor(outsider), p.path, { teamId: 'cl0000000000000000000000' }))).toBe('FORBIDDEN');
  });

  it.each(teamScoped.filter((p) => (p.meta?.minRole ?? 'VIEWER') !== 'VIEWER').map((p) => [p.path, p]))('%s refuses team roles below its minimum', async (_path, p) => {
    const min = p.meta!.minRole!;
    for (const role of ['VIEWER', 'MEMBER', 'ADMIN'] as Role[]) {
      if (hasRole(role, min)) continue;
      expect(await codeOf(call(callerFor(membersByRole[role]), p.path, { teamId: teamA.team.id })), `${p.path} as ${role}`).toBe('FORBIDDEN');
    }
  });

  it('has sample inputs for every procedure that is not team-scoped', () => {
    for (const p of procedures.filter((q) => q.meta?.scope !== 'team')) expect(SAMPLE_INPUTS, `add ${p.path} to SAMPLE_INPUTS`).toHaveProperty([p.path]);
  });

  it.each(userScoped.map((p) => [p.path, p]))('%s refuses anonymous callers', async (_path, p) => {
    expect(await codeOf(call(callerFor(null), p.path, SAMPLE_INPUTS[p.path]!({ token: tokenForA })))).toBe('UNAUTHORIZED');
  });

  it('returns nothing of team A to an outsider through user-scoped and public procedures', async () => {
    const leaks: string[] = [];
    for (const p of procedures.filter((q) => q.meta?.scope !== 'team')) {
      if (p.path === 'invitations.accept' || p.path === 'invitations.preview') continue; // need the secret token: checked below
      let out: unknown;
      try {
        out = await call(callerFor(outsider), p.path, SAMPLE_INPUTS[p.path]!({ token: tokenForA }));
      } catch {
        continue;
      }
      const text = JSON.stringify(out);
      if (text.includes(teamA.team.id) || text.includes(teamA.team.slug)) leaks.push(p.path);
    }
    expect(leaks).toEqual([]);
  });

  it('refuses an outsider who holds a token addressed to someone else', async () => {
    expect(await codeOf(call(callerFor(outsider), 'invitations.accept', { token: tokenForA }))).toBe('FORBIDDEN');
    const teams = (await call(callerFor(outsider), 'teams.mine', undefined)) as Array<{ id: string }>;
    expect(teams.map((t) => t.id)).not.toContain(teamA.team.id);
  });

  it('lets members of the team through (the probe is not vacuous)', async () => {
    expect(await codeOf(call(callerFor(membersByRole.VIEWER), 'projects.list', { teamId: teamA.team.id }))).toBe('OK');
    expect(await codeOf(call(callerFor(membersByRole.ADMIN), 'invitations.pending', { teamId: teamA.team.id }))).toBe('OK');
  });
});
