import { beforeAll, describe, expect, it, vi } from 'vitest';
import { prisma } from '@/lib/db/client';
import { MAX_BODY_BYTES, readJsonBody } from '@/server/api/body-limit';
import { MAX_UPLOAD_BYTES } from '@/server/services/datasets';
import type { PublicUser } from '@/server/services/users';
import { addMember, makeTeam } from '../helpers/factories';

/**
 * Request size caps on the tRPC endpoint and the upload route, JSON body refusals, and stored
 * password hashes. (Zip-slip and zip-bomb refusal: server/datasets/images.test.ts; cookie flags
 * and security headers on the real server: tests/e2e/security.spec.ts.) The session resolver is
 * replaced as in rest-isolation.test.ts.
 */
const session = vi.hoisted(() => ({ user: null as PublicUser | null }));
vi.mock('@/server/auth/session', () => ({ currentUser: async () => session.user, requireUser: async () => session.user }));

let team: Awaited<ReturnType<typeof makeTeam>>;
beforeAll(async () => {
  team = await makeTeam();
});

const trpc = async () => (await import('@/app/api/trpc/[trpc]/route')).POST;
const upload = async () => (await import('@/app/api/datasets/upload/route')).POST;

function streamOf(bytes: number, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent >= bytes) return c.close();
      const n = Math.min(chunk, bytes - sent);
      sent += n;
      c.enqueue(new Uint8Array(n).fill(32));
    },
  });
}

describe('request body caps', () => {
  it('tRPC refuses a body over the cap with 413, whether declared or streamed, and still serves normal calls', async () => {
    session.user = team.owner;
    const POST = await trpc();
    const big = new Uint8Array(MAX_BODY_BYTES + 1).fill(32);
    const declared = await POST(new Request('http://t.test/api/trpc/projects.create', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }));
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { message: string } }).error.message).toMatch(/larger than the 4 MB limit/);
    const streamed = await POST(
      new Request('http://t.test/api/trpc/projects.create', { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamOf(MAX_BODY_BYTES + 10), duplex: 'half' } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    const ok = await POST(
      new Request('http://t.test/api/trpc/projects.create', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ json: { teamId: team.team.id, name: 'Within the cap' } }),
      }),
    );
    expect(ok.status).toBe(200);
    session.user = null;
  });

  it('the upload route refuses a declared size over the upload cap before reading, and viewers outright', async () => {
    const POST = await upload();
    session.user = team.owner;
    const tooBig = await POST(
      new Request(`http://t.test/api/datasets/upload?teamId=${team.team.id}&kind=csv`, {
        method: 'POST',
        headers: { 'content-length': String(MAX_UPLOAD_BYTES + 1) },
        body: streamOf(1024),
        duplex: 'half',
      } as RequestInit),
    );
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toMatch(/upload limit/);
    session.user = await addMember(team.team.id, 'VIEWER');
    const viewer = await POST(new Request(`http://t.test/api/datasets/upload?teamId=${team.team.id}&kind=csv`, { method: 'POST', body: 'a,b\n1,2\n' }));
    expect(viewer.status).toBe(403);
    session.user = null;
  });

  it('readJsonBody: 400 for bodies that are empty or not JSON, 413 past the cap', async () => {
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'OK',
        (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
      );
    expect(await codeOf(readJsonBody(new Request('http://t.test', { method: 'POST', body: '' })))).toBe('BAD_REQUEST: The request body is empty; send JSON');
    expect(await codeOf(readJsonBody(new Request('http://t.test', { method: 'POST', body: '{"a":' })))).toBe('BAD_REQUEST: The request body is not valid JSON');
    expect(await codeOf(readJsonBody(new Request('http://t.test', { method: 'POST', body: new Uint8Array([0xff, 0xfe]) })))).toBe('BAD_REQUEST: The request body is not valid JSON');
    expect(await codeOf(readJsonBody(new Request('http://t.test', { method: 'POST', body: '[1,2,3]' }), 4))).toMatch(/^PAYLOAD_TOO_LARGE/);
    expect(await readJsonBody(new Request('http://t.test', { method: 'POST', body: '{"a":1}' }))).toEqual({ a: 1 });
  });
});

describe('stored credentials', () => {
  it('hashes passwords with argon2id', async () => {
    const row = await prisma.user.findUniqueOrThrow({ where: { id: team.owner.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
  });
});
