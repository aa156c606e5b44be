import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { can } from '@/lib/roles';
import { PageHeader } from '../../../../../../_components/ui';
import { loadProject } from '../../project';
import { NewSweepForm } from './new-sweep-form';

export const metadata: Metadata = { title: 'New sweep' };

export default async function NewSweepPage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string }> }) {
  const { teamSlug, projectSlug } = await params;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  if (!can.write(team.role)) notFound();
  return (
    <>
      <PageHeader
        title="New hyperparameter sweep"
        description="A base run, a search space over its settings, a run budget and how many run at once. Runs are queued to the workers as earlier ones end."
      />
      <NewSweepForm teamId={team.id} projectId={project.id} basePath={`/t/${team.slug}/projects/${project.slug}`} />
    </>
  );
}
