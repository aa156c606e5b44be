import type { Metadata } from 'next';
import Link from 'next/link';
import { can, ROLE_LABELS } from '@/lib/roles';
import { listProjects } from '@/server/services/projects';
import { pendingReviewsFor } from '@/server/services/reviews';
import { listMembers } from '@/server/services/teams';
import { Badge, Card, CardHeader, EmptyState, PageHeader } from '../../_components/ui';
import { CreateProjectForm } from './create-project-form';
import { PendingReviews } from './pending-reviews';
import { loadTeam } from './team';

export const metadata: Metadata = { title: 'Overview' };

export default async function TeamHome({ params }: { params: Promise<{ teamSlug: string }> }) {
  const { teamSlug } = await params;
  const { user, team } = await loadTeam(teamSlug);
  const [projects, members, pending] = await Promise.all([listProjects(team.id), listMembers(team.id), pendingReviewsFor(team.id, user.id)]);
  return (
    <>
      <PageHeader title={team.name} description={`${members.length} member${members.length === 1 ? '' : 's'} · you are ${ROLE_LABELS[team.role].toLowerCase()}`} />
      <PendingReviews reviews={pending} />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader title="Projects" description="Runs, architectures and datasets live inside a project." />
          <div className="p-5">
            {projects.length === 0 ? (
              <EmptyState title="No projects yet">Create the first one to start tracking experiments.</EmptyState>
            ) : (
              <ul className="grid gap-3 sm:grid-cols-2" data-testid="project-list">
                {projects.map((p) => (
                  <li key={p.id}>
                    <Link href={`/t/${team.slug}/projects/${p.slug}`} className="block rounded-md border border-slate-200 px-4 py-3 hover:border-brand-500 hover:bg-brand-50/40">
                      <span className="font-medium">{p.name}</span>
                      <span className="mt-0.5 block truncate text-sm text-slate-500">{p.description || 'No description'}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            )}
            {can.write(team.role) ? (
              <div className="mt-5 border-t border-slate-100 pt-5">
                <CreateProjectForm teamId={team.id} teamSlug={team.slug} />
              </div>
            ) : null}
          </div>
        </Card>
        <Card>
          <CardHeader title="Members" />
          <ul className="divide-y divide-slate-100" data-testid="member-summary">
            {members.map((m) => (
              <li key={m.userId} className="flex items-center justify-between px-5 py-2.5 text-sm">
                <span className="min-w-0">
                  <span className="block truncate font-medium">{m.name}</span>
                  <span className="block truncate text-xs text-slate-500">{m.email}</span>
                </span>
                <Badge tone={m.role === 'OWNER' ? 'brand' : 'slate'}>{ROLE_LABELS[m.role]}</Badge>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </>
  );
}
