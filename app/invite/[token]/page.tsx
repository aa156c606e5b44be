import type { Metadata } from 'next';
import Link from 'next/link';
import { ROLE_LABELS } from '@/lib/roles';
import { currentUser } from '@/server/auth/session';
import { INVITATION_MESSAGES, previewInvitation } from '@/server/services/invitations';
import { Alert, Card, Logo } from '../../_components/ui';
import { AcceptInvitation } from './accept-invitation';

export const metadata: Metadata = { title: 'Invitation' };
export const dynamic = 'force-dynamic';

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [invite, user] = await Promise.all([previewInvitation(token), currentUser()]);
  const here = `/invite/${token}`;
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4">
      <Logo className="mb-8 text-xl" />
      <Card className="w-full max-w-md p-6">
        {invite.state !== 'valid' ? (
          <>
            <h1 className="mb-3 text-lg font-semibold">Invitation unavailable</h1>
            <Alert data-testid="invite-error">{INVITATION_MESSAGES[invite.state]}</Alert>
            <p className="mt-4 text-sm">
              <Link href="/" className="text-brand-600 hover:underline">
                Go to Deepboard
              </Link>
            </p>
          </>
        ) : (
          <>
            <h1 className="text-lg font-semibold">Join {invite.teamName}</h1>
            <p className="mb-5 mt-1 text-sm text-slate-500">
              {invite.invitedBy} invited <strong>{invite.email}</strong> to join as {ROLE_LABELS[invite.role].toLowerCase()}.
            </p>
            {user ? (
              <AcceptInvitation token={token} signedInAs={user.email} invitedEmail={invite.email} />
            ) : (
              <div className="space-y-2">
                <Link href={`/sign-up?callbackUrl=${encodeURIComponent(here)}`} className="block rounded-md bg-brand-600 px-3.5 py-2 text-center text-sm font-medium text-white hover:bg-brand-700">
                  Create an account to accept
                </Link>
                <Link href={`/sign-in?callbackUrl=${encodeURIComponent(here)}`} className="block rounded-md border border-slate-300 px-3.5 py-2 text-center text-sm font-medium hover:bg-slate-50">
                  I already have an account
                </Link>
              </div>
            )}
          </>
        )}
      </Card>
    </main>
  );
}
