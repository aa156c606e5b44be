import type { Metadata } from 'next';
import { requireUser } from '@/server/auth/session';
import { listTeamsOf } from '@/server/services/teams';
import { Card, Logo } from '../../_components/ui';
import { CreateTeamForm } from './create-team-form';

export const metadata: Metadata = { title: 'Create team' };
export const dynamic = 'force-dynamic';

export default async function NewTeamPage() {
  const user = await requireUser('/teams/new');
  const teams = await listTeamsOf(user.id);
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4">
      <Logo className="mb-8 text-xl" />
      <Card className="w-full max-w-md p-6">
        <h1 className="text-lg font-semibold">Create a team</h1>
        <p className="mb-5 mt-1 text-sm text-slate-500">
          Teams own projects, runs and reports. {teams.length === 0 ? 'You are not in any team yet — create one, or open an invitation link you received.' : ''}
        </p>
        <CreateTeamForm />
      </Card>
    </main>
  );
}
