import { ZodError } from 'zod';
import { formatZodError } from '@/lib/schemas/format';
import { currentUser } from '../auth/session';
import { DomainError, type DomainErrorCode } from '../services/errors';
import { membershipOf } from '../services/teams';
import { hasRole } from '@/lib/roles';
import type { Role } from '@/lib/schemas/teams';

/** REST handlers share the services' errors and the tRPC access rules; this maps both to HTTP. */
const STATUS: Record<DomainErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  PAYLOAD_TOO_LARGE: 413,
};

export function errorResponse(err: unknown): Response {
  if (err instanceof DomainError) return Response.json({ error: { code: err.code, message: err.message, field: err.field ?? null } }, { status: STATUS[err.code] });
  if (err instanceof ZodError) return Response.json({ error: { code: 'BAD_REQUEST', message: formatZodError(err) } }, { status: 400 });
  console.error('[rest]', err);
  return Response.json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Something went wrong on the server; it has been logged.' } }, { status: 500 });
}

/** The signed-in caller and their role in `teamId`, or a DomainError (401 / 403). */
export async function requireTeamRole(teamId: string | null, min: Role = 'VIEWER') {
  const user = await currentUser();
  if (!user) throw new DomainError('UNAUTHORIZED', 'Sign in to continue');
  if (!teamId) throw new DomainError('BAD_REQUEST', 'teamId is required');
  const m = await membershipOf(user.id, teamId);
  if (!m) throw new DomainError('FORBIDDEN', 'You are not a member of this team');
  if (!hasRole(m.role, min)) throw new DomainError('FORBIDDEN', `This needs the ${min.toLowerCase()} role or higher in this team`);
  return { user, role: m.role };
}
