import type { Metadata } from 'next';
import { PageHeader } from '../../../../../_components/ui';
import { loadProject } from '../project';
import { CompareView } from './compare-view';

export const metadata: Metadata = { title: 'Compare runs' };

export default async function ComparePage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string }> }) {
  const { teamSlug, projectSlug } = await params;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  return (
    <>
      <PageHeader title="Compare runs" description={`${project.name} · this page's address is shareable: it names the runs and the chosen metrics.`} />
      <CompareView teamId={team.id} basePath={`/t/${team.slug}/projects/${project.slug}`} />
    </>
  );
}
