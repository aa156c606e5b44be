import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { hasRole } from '@/lib/roles';
import { PageHeader } from '../../../_components/ui';
import { loadTeam } from '../team';
import { AuditTrail } from './audit-trail';

export const metadata: Metadata = { title: 'Audit trail' };

export default async function AuditPage({ params }: { params: Promise<{ teamSlug: string }> }) {
  const { teamSlug } = await params;
  const { team } = await loadTeam(teamSlug);
  if (!hasRole(team.role, 'ADMIN')) notFound();
  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Who requested reviews, commented, decided, changed the fairness policy, roles and invitations, and when. Append-only: the database refuses to change or delete an entry."
      />
      <AuditTrail teamId={team.id} />
    </>
  );
}
