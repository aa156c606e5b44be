import type { Metadata } from 'next';
import { can } from '@/lib/roles';
import { PageHeader } from '../../../_components/ui';
import { loadTeam } from '../team';
import { MembersPanel } from './members-panel';

export const metadata: Metadata = { title: 'Members' };

export default async function MembersPage({ params }: { params: Promise<{ teamSlug: string }> }) {
  const { teamSlug } = await params;
  const { user, team } = await loadTeam(teamSlug);
  return (
    <>
      <PageHeader title="Members" description="Who can see and change this team's projects, and how." />
      <MembersPanel teamId={team.id} myUserId={user.id} myRole={team.role} canManage={can.manageMembers(team.role)} canManageOwners={can.manageOwners(team.role)} />
    </>
  );
}
