import type { Role } from './schemas/teams';

const RANK: Record<Role, number> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

/** True when `role` is at least `min` (OWNER > ADMIN > MEMBER > VIEWER). */
export function hasRole(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

/** What each role may do; the one place these rules live. */
export const can = {
  read: (role: Role) => hasRole(role, 'VIEWER'),
  write: (role: Role) => hasRole(role, 'MEMBER'),
  manageMembers: (role: Role) => hasRole(role, 'ADMIN'),
  /** Only owners create owners or change an owner's role. */
  manageOwners: (role: Role) => hasRole(role, 'OWNER'),
  deleteTeam: (role: Role) => hasRole(role, 'OWNER'),
  /** Revoke other members' API keys. */
  manageApiKeys: (role: Role) => hasRole(role, 'ADMIN'),
};

export const ROLE_LABELS: Record<Role, string> = {
  OWNER: 'Owner',
  ADMIN: 'Admin',
  MEMBER: 'Member',
  VIEWER: 'Viewer',
};
