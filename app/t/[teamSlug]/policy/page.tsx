import type { Metadata } from 'next';
import { can } from '@/lib/roles';
import { PageHeader } from '../../../_components/ui';
import { loadTeam } from '../team';
import { PolicyPanel } from './policy-panel';

export const metadata: Metadata = { title: 'Fairness policy' };

export default async function PolicyPage({ params }: { params: Promise<{ teamSlug: string }> }) {
  const { teamSlug } = await params;
  const { team } = await loadTeam(teamSlug);
  return (
    <>
      <PageHeader title="Fairness policy" description="Gates every run's fairness report is checked against. Runs tables and reports show pass or fail; changing a rule re-grades past runs." />
      <PolicyPanel teamId={team.id} canManage={can.managePolicy(team.role)} />
    </>
  );
}
