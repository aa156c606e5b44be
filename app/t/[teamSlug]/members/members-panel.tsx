'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { Copy } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ROLE_LABELS } from '@/lib/roles';
import { ROLES, ZInviteInput, type Role } from '@/lib/schemas/teams';
import { applyServerError, useZodForm } from '../../../_components/form';
import { Alert, Badge, Button, Card, CardHeader, Field, Input, Select, THead } from '../../../_components/ui';
import { useTRPC } from '../../../_trpc/client';

function message(err: unknown) {
  return err instanceof TRPCClientError || err instanceof Error ? err.message : 'Something went wrong';
}

export function MembersPanel(props: { teamId: string; myUserId: string; myRole: Role; canManage: boolean; canManageOwners: boolean }) {
  const { teamId, myUserId, canManage, canManageOwners } = props;
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const members = useQuery(trpc.teams.members.queryOptions({ teamId }));
  const pending = useQuery({ ...trpc.invitations.pending.queryOptions({ teamId }), enabled: canManage });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.teams.members.queryKey({ teamId }) });
    void qc.invalidateQueries({ queryKey: trpc.invitations.pending.queryKey({ teamId }) });
    router.refresh();
  };
  const changeRole = useMutation(trpc.teams.changeRole.mutationOptions({ onSuccess: refresh, onError: (e) => setError(message(e)) }));
  const remove = useMutation(trpc.teams.removeMember.mutationOptions({ onSuccess: refresh, onError: (e) => setError(message(e)) }));
  const leave = useMutation(
    trpc.teams.leave.mutationOptions({
      onSuccess: () => {
        router.push('/');
        router.refresh();
      },
      onError: (e) => setError(message(e)),
    }),
  );
  const revoke = useMutation(trpc.invitations.revoke.mutationOptions({ onSuccess: refresh, onError: (e) => setError(message(e)) }));

  return (
    <div className="space-y-6">
      {error ? (
        <Alert>
          {error}{' '}
          <button className="ml-2 underline" onClick={() => setError(null)}>
            Dismiss
          </button>
        </Alert>
      ) : null}
      <Card>
        <CardHeader
          title="Team members"
          actions={
            <Button variant="danger" size="sm" disabled={leave.isPending} onClick={() => confirm('Leave this team?') && leave.mutate({ teamId })}>
              Leave team
            </Button>
          }
        />
        <table className="w-full text-sm" data-testid="members-table">
          <THead>
            <tr>
              <th className="px-5 py-2 font-medium">Name</th>
              <th className="px-5 py-2 font-medium">E-mail</th>
              <th className="px-5 py-2 font-medium">Role</th>
              <th className="px-5 py-2" />
            </tr>
          </THead>
          <tbody className="divide-y divide-slate-100">
            {(members.data ?? []).map((m) => {
              const editable = canManage && m.userId !== myUserId && (canManageOwners || m.role !== 'OWNER');
              return (
                <tr key={m.userId}>
                  <td className="px-5 py-2.5 font-medium">
                    {m.name} {m.userId === myUserId ? <span className="text-xs font-normal text-slate-400">(you)</span> : null}
                  </td>
                  <td className="px-5 py-2.5 text-slate-600">{m.email}</td>
                  <td className="px-5 py-2.5">
                    {editable ? (
                      <Select aria-label={`Role of ${m.email}`} value={m.role} onChange={(e) => changeRole.mutate({ teamId, userId: m.userId, role: e.target.value as Role })} className="py-1">
                        {ROLES.filter((r) => canManageOwners || r !== 'OWNER').map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABELS[r]}
                          </option>
                        ))}
                      </Select>
                    ) : (
                      <Badge tone={m.role === 'OWNER' ? 'brand' : 'slate'}>{ROLE_LABELS[m.role]}</Badge>
                    )}
                  </td>
                  <td className="px-5 py-2.5 text-right">
                    {editable ? (
                      <Button variant="ghost" size="sm" onClick={() => confirm(`Remove ${m.email} from the team?`) && remove.mutate({ teamId, userId: m.userId })}>
                        Remove
                      </Button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
      {canManage ? (
        <>
          <InviteCard teamId={teamId} canManageOwners={canManageOwners} onInvited={refresh} />
          <Card>
            <CardHeader title="Pending invitations" description="Each link works once, until it expires." />
            {pending.data && pending.data.length > 0 ? (
              <ul className="divide-y divide-slate-100" data-testid="pending-invitations">
                {pending.data.map((i) => (
                  <li key={i.id} className="flex items-center justify-between px-5 py-2.5 text-sm">
                    <span>
                      <span className="font-medium">{i.email}</span> <Badge>{ROLE_LABELS[i.role]}</Badge>{' '}
                      {i.expired ? <Badge tone="red">expired</Badge> : <span className="text-xs text-slate-500">expires {i.expiresAt.toLocaleDateString()}</span>}
                      <span className="ml-2 text-xs text-slate-400">by {i.invitedBy}</span>
                    </span>
                    <Button variant="ghost" size="sm" onClick={() => revoke.mutate({ teamId, invitationId: i.id })}>
                      Revoke
                    </Button>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="px-5 py-4 text-sm text-slate-500">No pending invitations.</p>
            )}
          </Card>
        </>
      ) : null}
    </div>
  );
}

function InviteCard({ teamId, onInvited }: { teamId: string; canManageOwners: boolean; onInvited: () => void }) {
  const trpc = useTRPC();
  const form = useZodForm(ZInviteInput, { email: '', role: 'MEMBER' });
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<{ url: string; email: string; emailed: boolean } | null>(null);
  const invite = useMutation(trpc.invitations.create.mutationOptions());
  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    setLink(null);
    try {
      const res = await invite.mutateAsync({ teamId, ...values });
      setLink({ url: `${window.location.origin}${res.path}`, email: res.email, emailed: res.emailed });
      form.reset({ email: '', role: values.role });
      onInvited();
    } catch (err) {
      setError(applyServerError(form, err));
    }
  });
  const errors = form.formState.errors;
  return (
    <Card>
      <CardHeader title="Invite a member" description="They accept with the link below; it is also e-mailed when SMTP is configured." />
      <form onSubmit={onSubmit} className="space-y-3 p-5" noValidate>
        {error ? <Alert>{error}</Alert> : null}
        <div className="flex flex-wrap items-start gap-3">
          <div className="min-w-64 flex-1">
            <Field label="E-mail" htmlFor="invite-email" error={errors.email?.message}>
              <Input id="invite-email" type="email" placeholder="colleague@lab.org" invalid={!!errors.email} {...form.register('email')} />
            </Field>
          </div>
          <Field label="Role" htmlFor="invite-role" error={errors.role?.message}>
            <Select id="invite-role" {...form.register('role')}>
              {(['ADMIN', 'MEMBER', 'VIEWER'] as const).map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </Select>
          </Field>
          <div className="pt-6">
            <Button type="submit" disabled={invite.isPending}>
              {invite.isPending ? 'Inviting…' : 'Create invitation'}
            </Button>
          </div>
        </div>
        {link ? (
          <Alert tone="success">
            <p className="mb-1">
              Invitation for <strong>{link.email}</strong> created{link.emailed ? ' and e-mailed' : ''}. Share this link (it works once):
            </p>
            <div className="flex items-center gap-2">
              <code className="block flex-1 truncate rounded bg-white px-2 py-1 text-xs text-slate-800" data-testid="invite-link">
                {link.url}
              </code>
              <Button type="button" variant="secondary" size="sm" onClick={() => void navigator.clipboard?.writeText(link.url)}>
                <Copy className="h-3.5 w-3.5" /> Copy
              </Button>
            </div>
          </Alert>
        ) : null}
      </form>
    </Card>
  );
}
