import { ZodError } from 'zod';
import { formatZodError } from '@/lib/schemas/format';
import { INTERNAL_MESSAGE, UserError } from '@/lib/errors';
import { DomainError } from '../services/errors';
import { searchCache } from '../services/search-cache';
import { membershipOf } from '../services/teams';
import { hasRole } from '@/lib/roles';
import type { Role } from '@/lib/schemas/teams';
import { authenticateApiKey, type ApiKeyPrincipal, type RunRef } from '../services/api-keys';
import { readBodyLimited } from './body-limit';

/** REST handlers share the services' errors and the tRPC access rules; this maps both to HTTP. */
export function errorResponse(err: unknown): Response {
  if (err instanceof UserError) return Response.json({ error: { code: err.mapping.code, message: err.message, field: err.field ?? null } }, { status: err.mapping.http });
  if (err instanceof ZodError) {
    const path = err.issues[0]?.path ?? [];
    const field = path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('') || null;
    return Response.json({ error: { code: 'BAD_REQUEST', message: formatZodError(err), field } }, { status: 400 });
  }
  console.error('[rest]', err);
  return Response.json({ error: { code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_MESSAGE } }, { status: 500 });
}

/** The signed-in caller and their role in `teamId`, or a DomainError (401 / 403). */
export async function requireTeamRole(teamId: string | null, min: Role = 'VIEWER') {
  // Imported when needed: next-auth loads only inside Next, and API-key callers never need it.
  const { currentUser } = await import('../auth/session');
  const user = await currentUser();
  if (!user) throw new DomainError('UNAUTHORIZED', 'Sign in to continue');
  if (!teamId) throw new DomainError('BAD_REQUEST', 'teamId is required');
  const m = await membershipOf(user.id, teamId);
  if (!m) throw new DomainError('FORBIDDEN', 'You are not a member of this team');
  if (!hasRole(m.role, min)) throw new DomainError('FORBIDDEN', `This needs the ${min.toLowerCase()} role or higher in this team`);
  return { user, role: m.role };
}

/**
 * Who calls a REST handler: an API key (`Authorization: Bearer dbk_…`, bound to one team) or,
 * without that header, the signed-in browser session. A bad key is a 401, never a fallback.
 */
export interface RestCaller {
  userId: string;
  /** Set for API-key callers: the key's team and the owner's current role there. */
  apiKey: ApiKeyPrincipal | null;
}

export function bearerToken(req: Request): string | null {
  const header = req.headers.get('authorization');
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new DomainError('UNAUTHORIZED', 'The Authorization header must be "Bearer <API key>"');
  return m[1]!;
}

export async function restCaller(req: Request): Promise<RestCaller> {
  return (await callerAndRun(req)).caller;
}

/** The caller and, with `runId`, that run (null when it does not exist) — for a key, in one query. */
async function callerAndRun(req: Request, runId?: string): Promise<{ caller: RestCaller; run?: RunRef | null }> {
  const token = bearerToken(req);
  if (token !== null) {
    const key = await authenticateApiKey(token, runId);
    if (!key) throw new DomainError('UNAUTHORIZED', 'The API key is invalid, revoked or expired');
    const { run, ...principal } = key;
    return { caller: { userId: key.userId, apiKey: principal }, run };
  }
  const { currentUser } = await import('../auth/session');
  const user = await currentUser();
  if (!user) throw new DomainError('UNAUTHORIZED', 'Send an API key as "Authorization: Bearer <key>" or sign in');
  if (runId === undefined) return { caller: { userId: user.id, apiKey: null } };
  const { sql } = await import('@/lib/db/client');
  const [run] = await sql<RunRef>('SELECT id, "teamId", number, source FROM "Run" WHERE id = $1', [runId]);
  return { caller: { userId: user.id, apiKey: null }, run: run ?? null };
}

/**
 * The caller's role in `teamId`. Another team's resources read as missing (404 naming `what`),
 * so a key cannot probe which ids exist elsewhere; too low a role is a 403.
 */
export async function callerRole(caller: RestCaller, teamId: string, what: string, min: Role = 'VIEWER'): Promise<Role> {
  let role: Role | null;
  if (caller.apiKey) role = caller.apiKey.teamId === teamId ? caller.apiKey.role : null;
  else role = (await membershipOf(caller.userId, teamId))?.role ?? null;
  if (!role) throw new DomainError('NOT_FOUND', `${what} not found`);
  if (!hasRole(role, min)) throw new DomainError('FORBIDDEN', `This needs the ${min.toLowerCase()} role or higher in this team`);
  return role;
}

/** The team a team-level call (create a run, search) acts on: the key's, or `teamId` for sessions. */
export async function callerTeam(caller: RestCaller, teamId: string | null | undefined, min: Role = 'VIEWER'): Promise<{ teamId: string; role: Role }> {
  if (caller.apiKey) {
    if (teamId && teamId !== caller.apiKey.teamId) throw new DomainError('NOT_FOUND', 'Team not found');
    return { teamId: caller.apiKey.teamId, role: await callerRole(caller, caller.apiKey.teamId, 'Team', min) };
  }
  if (!teamId) throw new DomainError('BAD_REQUEST', 'teamId is required when calling with a session instead of an API key', 'teamId');
  return { teamId, role: await callerRole(caller, teamId, 'Team', min) };
}

/** A JSON request body (read under a size cap, so a huge body is cut off early), or a 400 / 413 that says what is wrong with it. */
export async function jsonBody(req: Request, maxBytes = 8 * 1024 * 1024): Promise<unknown> {
  const text = new TextDecoder().decode(await readBodyLimited(req, maxBytes));
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 quotes a bit of the body; its line breaks and control characters are escaped to keep the message one line.
    const detail = (err as Error).message.replace(/[\u0000-\u001f\u007f]/g, (c) =>
      c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    throw new DomainError('BAD_REQUEST', `The request body is not valid JSON: ${detail}`);
  }
}

/** Access to one run: the run, its team and the caller's role there (404 when the run is elsewhere). */
export async function runAccess(req: Request, runId: string, min: Role = 'VIEWER'): Promise<{ caller: RestCaller; teamId: string; role: Role; run: RunRef }> {
  const { caller, run } = await callerAndRun(req, runId);
  if (!run) throw new DomainError('NOT_FOUND', `Run '${runId}' not found`, 'runId');
  const role = await callerRole(caller, run.teamId, `Run '${runId}'`, min);
  return { caller, teamId: run.teamId, role, run };
}

/** JSON with NaN and ±Infinity as strings (JSON has neither). */
export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v === 'bigint' ? Number(v) : v));
  // Answers are never cached. Small ones are not compressed either: the server streams route
  // answers without a length, so its 1 KB threshold never applies, and gzip's set-up for a few
  // bytes costs more than a whole log-batch call.
  const cache = text.length < 1024 ? 'no-store, no-transform' : 'no-store';
  return new Response(text, { ...init, headers: { 'Content-Type': 'application/json', 'Cache-Control': cache, ...(init.headers ?? {}) } });
}

type RouteContext<P> = { params: Promise<P> };

/** A REST route handler: whatever `fn` returns is sent as JSON; every error becomes a JSON 4xx. */
export function restRoute<P = Record<string, never>>(fn: (req: Request, params: P) => Promise<unknown>) {
  return async (req: Request, ctx: RouteContext<P>): Promise<Response> => {
    try {
      const out = await fn(req, ctx?.params ? await ctx.params : ({} as P));
      return out instanceof Response ? out : jsonResponse(out);
    } catch (err) {
      return errorResponse(err);
    } finally {
      // This server's own writes are seen by its next runs-table query at once.
      if (req.method !== 'GET' && req.method !== 'HEAD') searchCache().invalidateAll();
    }
  };
}
