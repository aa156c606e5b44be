import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { acceptInvitation, createInvitation, previewInvitation } from '@/server/services/invitations';
import { addMember, callerFor, makeTeam, makeUser, uid } from '../helpers/factories';

function tokenOf(path: string) {
  return path.split('/').pop()!;
}

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  expect((err as TRPCError).code).toBe(code);
  if (message) expect((err as TRPCError).message).toMatch(message);
}

describe('teams', () => {
  it('creates a team with the creator as owner and a unique slug', async () => {
    const user = await makeUser();
    const name = `Vision ${uid('lab')}`;
    const a = await callerFor(user).teams.create({ name });
    const b = await callerFor(user).teams.create({ name });
    expect(a.role).toBe('OWNER');
    expect(b.slug).not.toBe(a.slug);
    expect(b.slug.startsWith(a.slug)).toBe(true);
    const mine = await callerFor(user).teams.mine();
    expect(mine.map((t) => t.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('refuses a taken slug with a message on the slug field', async () => {
    const { team, owner } = await makeTeam();
    await expectCode(callerFor(owner).teams.create({ name: 'Other', slug: team.slug }), 'CONFLICT', /already used/);
  });

  it('projects are scoped to their team', async () => {
    const { team, owner } = await makeTeam();
    const p = await callerFor(owner).projects.create({ teamId: team.id, name: 'Credit scoring' });
    expect(p.slug).toBe('credit-scoring');
    const other = await makeTeam();
    expect(await callerFor(other.owner).projects.list({ teamId: other.team.id })).toEqual([]);
    const viewer = await addMember(team.id, 'VIEWER');
    await expectCode(callerFor(viewer).projects.create({ teamId: team.id, name: 'Nope' }), 'FORBIDDEN');
    expect((await callerFor(viewer).projects.get({ teamId: team.id, slug: p.slug })).name).toBe('Credit scoring');
  });
});

describe('invitations', () => {
  it('invite → preview → accept makes the invitee a member with the invited role', async () => {
    const { team, owner } = await makeTeam();
    const invitee = await makeUser('Invitee');
    const inv = await callerFor(owner).invitations.create({ teamId: team.id, email: invitee.email.toUpperCase(), role: 'VIEWER' });
    expect(inv.url).toContain('/invite/');
    const preview = await callerFor(null).invitations.preview({ token: tokenOf(inv.path) });
    expect(preview).toMatchObject({ state: 'valid', teamName: team.name, role: 'VIEWER', email: invitee.email });
    const res = await callerFor(invitee).invitations.accept({ token: tokenOf(inv.path) });
    expect(res.teamId).toBe(team.id);
    const members = await callerFor(invitee).teams.members({ teamId: team.id });
    expect(members.find((m) => m.userId === invitee.id)?.role).toBe('VIEWER');
  });

  it('is single use', async () => {
    const { team, owner } = await makeTeam();
    const invitee = await makeUser();
    const inv = await callerFor(owner).invitations.create({ teamId: team.id, email: invitee.email });
    await callerFor(invitee).invitations.accept({ token: tokenOf(inv.path) });
    await expectCode(callerFor(invitee).invitations.accept({ token: tokenOf(inv.path) }), 'BAD_REQUEST', /already been used/);
    expect((await previewInvitation(tokenOf(inv.path))).state).toBe('used');
  });

  it('concurrent accepts of one invitation: exactly one succeeds', async () => {
    const { team, owner } = await makeTeam();
    const invitee = await makeUser();
    const inv = await createInvitation({ teamId: team.id, inviterId: owner.id, inviterRole: 'OWNER', input: { email: invitee.email, role: 'MEMBER' } });
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => acceptInvitation({ userId: invitee.id, token: tokenOf(inv.path) })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await prisma.membership.count({ where: { teamId: team.id, userId: invitee.id } })).toBe(1);
  });

  it('refuses an expired invitation with a clear message', async () => {
    const { team, owner } = await makeTeam();
    const invitee = await makeUser();
    const inv = await createInvitation({
      teamId: team.id,
      inviterId: owner.id,
      inviterRole: 'OWNER',
      input: { email: invitee.email, role: 'MEMBER' },
      now: new Date(Date.now() - 8 * 24 * 3600 * 1000),
    });
    expect((await previewInvitation(tokenOf(inv.path))).state).toBe('expired');
    await expectCode(callerFor(invitee).invitations.accept({ token: tokenOf(inv.path) }), 'BAD_REQUEST', /expired/);
  });

  it('refuses a revoked or replaced invitation, and an unknown token', async () => {
    const { team, owner } = await makeTeam();
    const invitee = await makeUser();
    const first = await callerFor(owner).invitations.create({ teamId: team.id, email: invitee.email });
    const second = await callerFor(owner).invitations.create({ teamId: team.id, email: invitee.email });
    await expectCode(callerFor(invitee).invitations.accept({ token: tokenOf(first.path) }), 'BAD_REQUEST', /withdrawn/);
    await callerFor(owner).invitations.revoke({ teamId: team.id, invitationId: second.id });
    await expectCode(callerFor(invitee).invitations.accept({ token: tokenOf(second.path) }), 'BAD_REQUEST', /withdrawn/);
    await expectCode(callerFor(invitee).invitations.accept({ token: 'not-a-real-token-at-all' }), 'BAD_REQUEST', /not valid/);
  });

  it('refuses an invitation accepted by a different account, and inviting a member twice', async () => {
    const { team, owner } = await makeTeam();
    const invitee = await makeUser();
    const other = await makeUser();
    const inv = await callerFor(owner).invitations.create({ teamId: team.id, email: invitee.email });
    await expectCode(callerFor(other).invitations.accept({ token: tokenOf(inv.path) }), 'FORBIDDEN', /sent to/);
    await expectCode(callerFor(owner).invitations.create({ teamId: team.id, email: owner.email }), 'CONFLICT', /already a member/);
  });

  it('only admins and owners invite; admins cannot invite owners', async () => {
    const { team } = await makeTeam();
    const member = await addMember(team.id, 'MEMBER');
    await expectCode(callerFor(member).invitations.create({ teamId: team.id, email: 'x@example.test' }), 'FORBIDDEN');
    const admin = await addMember(team.id, 'ADMIN');
    await expectCode(callerFor(admin).invitations.create({ teamId: team.id, email: 'x@example.test', role: 'OWNER' as never }), 'BAD_REQUEST');
  });
});

describe('roles and membership', () => {
  it('the last owner can neither leave nor be demoted; with a second owner they can', async () => {
    const { team, owner } = await makeTeam();
    await expectCode(callerFor(owner).teams.leave({ teamId: team.id }), 'BAD_REQUEST', /last owner/);
    await expectCode(callerFor(owner).teams.changeRole({ teamId: team.id, userId: owner.id, role: 'ADMIN' }), 'BAD_REQUEST', /at least one owner/);
    const second = await addMember(team.id, 'MEMBER');
    await callerFor(owner).teams.changeRole({ teamId: team.id, userId: second.id, role: 'OWNER' });
    await callerFor(owner).teams.leave({ teamId: team.id });
    expect((await callerFor(second).teams.members({ teamId: team.id })).map((m) => m.userId)).toEqual([second.id]);
  });

  it('admins manage members but not owners', async () => {
    const { team, owner } = await makeTeam();
    const admin = await addMember(team.id, 'ADMIN');
    const member = await addMember(team.id, 'MEMBER');
    await callerFor(admin).teams.changeRole({ teamId: team.id, userId: member.id, role: 'VIEWER' });
    await expectCode(callerFor(admin).teams.changeRole({ teamId: team.id, userId: member.id, role: 'OWNER' }), 'FORBIDDEN');
    await expectCode(callerFor(admin).teams.removeMember({ teamId: team.id, userId: owner.id }), 'FORBIDDEN');
    await callerFor(admin).teams.removeMember({ teamId: team.id, userId: member.id });
    await expectCode(callerFor(member).teams.members({ teamId: team.id }), 'FORBIDDEN');
  });
});
