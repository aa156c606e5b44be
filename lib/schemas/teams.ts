import { z } from 'zod';
import { ZEmail } from './auth';

export const ROLES = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'] as const;
export const ZRole = z.enum(ROLES);
export type Role = z.infer<typeof ZRole>;

export const ZSlug = z
  .string()
  .trim()
  .min(2, 'At least 2 characters')
  .max(48, 'At most 48 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Lowercase letters, digits and single hyphens only');

export const ZTeamId = z.string().min(1).max(64);

/** Every team-scoped procedure takes the team's id; teamProcedure resolves membership from it. */
export const ZTeamScope = z.object({ teamId: ZTeamId });

export const ZCreateTeamInput = z.object({
  name: z.string().trim().min(2, 'Team name needs at least 2 characters').max(80, 'Team name is too long'),
  slug: ZSlug.optional(),
});
export type CreateTeamInput = z.infer<typeof ZCreateTeamInput>;

export const ZRenameTeamInput = z.object({
  name: z.string().trim().min(2, 'Team name needs at least 2 characters').max(80, 'Team name is too long'),
});

export const ZInviteInput = z.object({
  email: ZEmail,
  role: ZRole.exclude(['OWNER']).default('MEMBER'),
});
export type InviteInput = z.infer<typeof ZInviteInput>;

export const ZChangeRoleInput = z.object({
  userId: z.string().min(1),
  role: ZRole,
});

export const ZRemoveMemberInput = z.object({ userId: z.string().min(1) });

export const ZInvitationToken = z.object({ token: z.string().min(10).max(200) });

export const ZCreateProjectInput = z.object({
  name: z.string().trim().min(2, 'Project name needs at least 2 characters').max(80, 'Project name is too long'),
  slug: ZSlug.optional(),
  description: z.string().trim().max(2000, 'Description is too long').default(''),
});
export type CreateProjectInput = z.infer<typeof ZCreateProjectInput>;
