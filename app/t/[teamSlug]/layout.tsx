import type { ReactNode } from 'react';
import { listProjects } from '@/server/services/projects';
import { listTeamsOf } from '@/server/services/teams';
import { Sidebar } from '../../_components/sidebar';
import { loadTeam } from './team';

export const dynamic = 'force-dynamic';

export default async function TeamLayout({ children, params }: { children: ReactNode; params: Promise<{ teamSlug: string }> }) {
  const { teamSlug } = await params;
  const { user, team } = await loadTeam(teamSlug);
  const [teams, projects] = await Promise.all([listTeamsOf(user.id), listProjects(team.id)]);
  return (
    <div className="flex min-h-screen">
      <Sidebar team={team} teams={teams} projects={projects} user={user} />
      <main className="min-w-0 flex-1">
        <div className="mx-auto max-w-6xl px-8 py-8">{children}</div>
      </main>
    </div>
  );
}
