import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import { hasRole } from '@/lib/roles';
import { transformer } from '@/lib/transformer';
import { formatZodError } from '@/lib/schemas/format';
import { ZTeamScope, type Role } from '@/lib/schemas/teams';
import { INTERNAL_MESSAGE, UserError } from '@/lib/errors';
import { searchCache } from '../services/search-cache';
import { membershipOf } from '../services/teams';
import type { PublicUser } from '../services/users';

/**
 * Every procedure declares who may call it. The isolation test walks the router and checks each
 * scope: 'public' needs nothing, 'user' a signed-in user, 'team' membership of the team named by
 * `teamId` (resolved once, here), with `minRole` for what a role may do.
 */
export interface Meta {
  scope?: 'public' | 'user' | 'team';
  minRole?: Role;
}

export interface Context {
  user: PublicUser | null;
  headers: Headers;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      // An unexpected error (a bug, a lost database) is logged by the route's onError; the
      // caller gets a generic message, never the internals its message may hold.
      const unexpected = error.code === 'INTERNAL_SERVER_ERROR' && cause !== undefined && !(cause instanceof UserError);
      // tRPC adds the stack outside production; a stack never goes to a user (the server logs it).
      const data = { ...shape.data };
      delete data.stack;
      return {
        ...shape,
        // Input validation errors read as one line naming the field, not as zod's JSON dump.
        message: cause instanceof ZodError ? formatZodError(cause) : unexpected ? INTERNAL_MESSAGE : shape.message,
        data: {
          ...data,
          // Field errors for forms: zod's per-field messages, or the field a user error names.
          zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
          field: cause instanceof UserError ? (cause.field ?? null) : null,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps user errors (lib/errors.ts) to tRPC codes, in one place. */
const domainErrors = t.middleware(async ({ next, type }) => {
  const res = await next();
  // This server's own writes are seen by its next runs-table query at once.
  if (type === 'mutation') searchCache().invalidateAll();
  if (!res.ok) {
    const cause = res.error.cause;
    if (cause instanceof UserError) throw new TRPCError({ code: cause.mapping.code, message: cause.message, cause });
    if (cause instanceof ZodError) throw new TRPCError({ code: 'BAD_REQUEST', message: formatZodError(cause), cause });
  }
  return res;
});

export const publicProcedure = t.procedure.use(domainErrors).meta({ scope: 'public' });

export const protectedProcedure = t.procedure
  .use(domainErrors)
  .meta({ scope: 'user' })
  .use(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });
    return next({ ctx: { user: ctx.user } });
  });

/** Resolves the caller's membership of `input.teamId` once; everything below is scoped by it. */
export const teamProcedure = protectedProcedure
  .meta({ scope: 'team', minRole: 'VIEWER' })
  .input(ZTeamScope)
  .use(async ({ ctx, input, next, meta }) => {
    const membership = await membershipOf(ctx.user.id, input.teamId);
    if (!membership) throw new TRPCError({ code: 'FORBIDDEN', message: 'You are not a member of this team' });
    const minRole = meta?.minRole ?? 'VIEWER';
    if (!hasRole(membership.role, minRole)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${minRole.toLowerCase()} role or higher in this team` });
    }
    return next({ ctx: { team: { id: input.teamId, role: membership.role } } });
  });
