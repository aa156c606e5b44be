import { notFound } from 'next/navigation';
import { cache } from 'react';
import { isUserError } from '@/lib/errors';
import { getProjectBySlug } from '@/server/services/projects';
import { loadTeam } from '../../team';

/** The project of the URL within the user's team, or a 404. */
export const loadProject = cache(async (teamSlug: string, projectSlug: string) => {
  const { user, team } = await loadTeam(teamSlug);
  const project = await getProjectBySlug(team.id, projectSlug).catch((err) => {
    if (isUserError(err, 'not-found')) notFound();
    throw err;
  });
  return { user, team, project };
});
