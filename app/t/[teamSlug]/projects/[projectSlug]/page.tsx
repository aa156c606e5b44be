import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { DomainError } from '@/server/services/errors';
import { getProjectBySlug } from '@/server/services/projects';
import { Card, CardHeader, PageHeader } from '../../../../_components/ui';
import { loadTeam } from '../../team';

export const metadata: Metadata = { title: 'Project' };

export default async function ProjectPage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string }> }) {
  const { teamSlug, projectSlug } = await params;
  const { team } = await loadTeam(teamSlug);
  const project = await getProjectBySlug(team.id, projectSlug).catch((err) => {
    if (err instanceof DomainError && err.code === 'NOT_FOUND') notFound();
    throw err;
  });
  return (
    <>
      <PageHeader title={project.name} description={project.description || undefined} />
      <Card>
        <CardHeader title="About" />
        <dl className="grid grid-cols-[10rem_1fr] gap-y-2 px-5 py-4 text-sm">
          <dt className="text-slate-500">Team</dt>
          <dd>{team.name}</dd>
          <dt className="text-slate-500">Created</dt>
          <dd>
            {project.createdAt.toUTCString()}
            {project.createdBy ? ` by ${project.createdBy.name}` : ''}
          </dd>
          <dt className="text-slate-500">Address</dt>
          <dd className="font-mono text-xs">
            /t/{team.slug}/projects/{project.slug}
          </dd>
        </dl>
      </Card>
    </>
  );
}
