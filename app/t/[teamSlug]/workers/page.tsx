import type { Metadata } from 'next';
import { PageHeader } from '../../../_components/ui';
import { loadTeam } from '../team';
import { WorkersTable } from './workers-table';

export const metadata: Metadata = { title: 'Workers' };

export default async function WorkersPage({ params }: { params: Promise<{ teamSlug: string }> }) {
  const { teamSlug } = await params;
  const { team } = await loadTeam(teamSlug);
  return (
    <>
      <PageHeader title="Workers" description="Training processes connected to this installation's database. Start more with `npm run worker` on any machine that reaches it." />
      <WorkersTable teamId={team.id} />
    </>
  );
}
