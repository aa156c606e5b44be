'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { Alert, Button } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';

export function AcceptInvitation({ token, signedInAs, invitedEmail }: { token: string; signedInAs: string; invitedEmail: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const accept = useMutation(
    trpc.invitations.accept.mutationOptions({
      onSuccess: (res) => {
        router.push(`/t/${res.teamSlug}`);
        router.refresh();
      },
    }),
  );
  return (
    <div className="space-y-3">
      {signedInAs !== invitedEmail ? (
        <Alert tone="info">
          You are signed in as {signedInAs}; this invitation is for {invitedEmail}.
        </Alert>
      ) : null}
      {accept.error ? <Alert>{accept.error.message}</Alert> : null}
      <Button className="w-full" disabled={accept.isPending || accept.isSuccess} onClick={() => accept.mutate({ token })}>
        {accept.isPending ? 'Joining…' : 'Accept invitation'}
      </Button>
    </div>
  );
}
