import { notFound } from 'next/navigation';
import { cache } from 'react';
import { requireUser } from '@/server/auth/session';
import { teamBySlugFor } from '@/server/services/teams';

/**
 * The team of the current URL for the signed-in user. A team the user does not belong to is a
 * 404, exactly like a team that does not exist: nothing of other teams leaks.
 */
export const loadTeam = cache(async (slug: string) => {
  const user = await requireUser(`/t/${slug}`);
  const team = await teamBySlugFor(user.id, slug);
  if (!team) notFound();
  return { user, team };
});
