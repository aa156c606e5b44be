import { createHash, randomBytes } from 'node:crypto';
import { prisma, sql } from '@/lib/db/client';
import { can } from '@/lib/roles';
import { API_KEY_PATTERN, API_KEY_PREFIX, ZCreateApiKeyInput, type CreateApiKeyInput } from '@/lib/schemas/api-keys';
import type { Role } from '@/lib/schemas/teams';
import { forbidden, notFound } from './errors';

/**
 * API keys: personal to a user within one team, acting with that user's current role there
 * (a key stops working when its owner leaves the team). Only the SHA-256 of the key is stored —
 * the key has ~238 random bits, so a fast hash is enough (no password stretching needed).
 */

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** lastUsedAt is written at most this often per key, so a busy logger does not write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

function newKey(): string {
  // Rejection sampling keeps every character uniform over base62.
  let out = '';
  while (out.length < 40) {
    for (const b of randomBytes(48)) {
      if (b < 248 && out.length < 40) out += BASE62[b % 62];
    }
  }
  return API_KEY_PREFIX + out;
}

export interface ApiKeyPrincipal {
  keyId: string;
  userId: string;
  teamId: string;
  role: Role;
}

export async function createApiKey(args: {
  userId: string;
  teamId: string;
  name: string;
  expiresInDays?: number;
}): Promise<{ id: string; key: string; prefix: string; name: string; expiresAt: Date | null }> {
  const input = ZCreateApiKeyInput.parse({ name: args.name, expiresInDays: args.expiresInDays } satisfies CreateApiKeyInput);
  const member = await prisma.membership.findUnique({ where: { teamId_userId: { teamId: args.teamId, userId: args.userId } }, select: { id: true } });
  if (!member) throw forbidden('You are not a member of this team');
  const key = newKey();
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const row = await prisma.apiKey.create({
    data: { teamId: args.teamId, userId: args.userId, name: input.name, prefix: key.slice(0, API_KEY_PREFIX.length + 6), keyHash: hashApiKey(key), expiresAt },
    select: { id: true, name: true, prefix: true, expiresAt: true },
  });
  return { ...row, key };
}

/** A run as the API's access checks see it. */
export interface RunRef {
  id: string;
  teamId: string;
  number: number;
  source: string;
}

/**
 * The caller behind a raw key, or null for a malformed, unknown, revoked or expired key or one whose
 * owner left the team. One query (key and membership; with `runId`, that run too: `run` is null when
 * it does not exist) — it runs on every API call.
 */
export async function authenticateApiKey(rawKey: string, runId?: string): Promise<(ApiKeyPrincipal & { run?: RunRef | null }) | null> {
  const key = rawKey.trim();
  if (!API_KEY_PATTERN.test(key)) return null;
  // Timestamps are stored in UTC (timestamp without time zone), so they compare with now() in UTC.
  const [row] = await sql<ApiKeyPrincipal & { stale: boolean; runTeamId: string | null; runNumber: number | null; runSource: string | null }>(
    `SELECT k.id AS "keyId", k."userId", k."teamId", m.role::text AS role,
            (k."lastUsedAt" IS NULL OR k."lastUsedAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => $2)) AS stale,
            r."teamId" AS "runTeamId", r.number AS "runNumber", r.source AS "runSource"
     FROM "ApiKey" k JOIN "Membership" m ON m."teamId" = k."teamId" AND m."userId" = k."userId"
     LEFT JOIN "Run" r ON r.id = $3
     WHERE k."keyHash" = $1 AND k."revokedAt" IS NULL AND (k."expiresAt" IS NULL OR k."expiresAt" > now() AT TIME ZONE 'UTC')`,
    [hashApiKey(key), LAST_USED_RESOLUTION_MS / 1000, runId ?? null],
    { name: 'api-key-auth' },
  );
  if (!row) return null;
  if (row.stale) {
    // Conditional, so concurrent requests write once per minute at most.
    await sql(
      `UPDATE "ApiKey" SET "lastUsedAt" = now() AT TIME ZONE 'UTC'
       WHERE id = $1 AND ("lastUsedAt" IS NULL OR "lastUsedAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => $2))`,
      [row.keyId, LAST_USED_RESOLUTION_MS / 1000],
    );
  }
  const principal = { keyId: row.keyId, userId: row.userId, teamId: row.teamId, role: row.role };
  if (runId === undefined) return principal;
  return { ...principal, run: row.runTeamId === null ? null : { id: runId, teamId: row.runTeamId, number: row.runNumber!, source: row.runSource! } };
}

/** The caller's own keys; admins and owners see every key of the team. */
export async function listApiKeys(args: { teamId: string; userId: string; role: Role }) {
  const rows = await prisma.apiKey.findMany({
    where: { teamId: args.teamId, ...(can.manageApiKeys(args.role) ? {} : { userId: args.userId }) },
    orderBy: { createdAt: 'desc' },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true, user: { select: { id: true, name: true, email: true } } },
  });
  return rows.map((r) => ({ ...r, mine: r.user.id === args.userId }));
}

/** Members revoke their own keys; admins and owners any key of the team. Revoking twice is a no-op. */
export async function revokeApiKey(args: { teamId: string; userId: string; role: Role; keyId: string }) {
  const row = await prisma.apiKey.findFirst({ where: { id: args.keyId, teamId: args.teamId }, select: { id: true, userId: true, revokedAt: true } });
  if (!row) throw notFound('API key');
  if (row.userId !== args.userId && !can.manageApiKeys(args.role)) throw forbidden('Only admins can revoke the keys of other members');
  if (row.revokedAt) return { id: row.id, revokedAt: row.revokedAt };
  return prisma.apiKey.update({ where: { id: row.id }, data: { revokedAt: new Date() }, select: { id: true, revokedAt: true } });
}
