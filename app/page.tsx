import { redirect } from 'next/navigation';
import { currentUser } from '@/server/auth/session';
import { listTeamsOf } from '@/server/services/teams';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  const teams = await listTeamsOf(user.id);
  redirect(teams[0] ? `/t/${teams[0].slug}` : '/teams/new');
}
