'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Check, Copy, KeyRound } from 'lucide-react';
import { useState } from 'react';
import { ZCreateApiKeyInput } from '@/lib/schemas/api-keys';
import { formatZodError } from '@/lib/schemas/format';
import { Alert, Badge, Button, Card, CardHeader, Field, Input, Select, THead } from '../../../../_components/ui';
import { useTRPC } from '../../../../_trpc/client';

const when = (d: Date | string | null) => (d ? new Date(d).toLocaleString() : '—');

export function ApiKeysPanel({ teamId, canManageAll }: { teamId: string; canManageAll: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ teamId }));
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const refresh = () => void qc.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey({ teamId }) });
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (k) => {
        setCreated({ name: k.name, key: k.key });
        setCopied(false);
        setName('');
        refresh();
      },
      onError: (e) => setError(e.message),
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: refresh, onError: (e) => setError(e.message) }));

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const parsed = ZCreateApiKeyInput.safeParse({ name, expiresInDays: expires ? Number(expires) : undefined });
    if (!parsed.success) {
      setNameError(formatZodError(parsed.error).replace(/^name: /, ''));
      return;
    }
    setNameError(null);
    create.mutate({ teamId, ...parsed.data });
  };

  return (
    <div className="space-y-6">
      {error ? <Alert>{error}</Alert> : null}
      {created ? (
        <Alert tone="success" data-testid="new-api-key">
          <p className="mb-2 font-medium">Key “{created.name}” created. Copy it now: it is shown only once.</p>
          <div className="flex items-center gap-2">
            <code className="flex-1 select-all break-all rounded bg-white px-2 py-1.5 font-mono text-xs text-slate-800" data-testid="new-api-key-value">
              {created.key}
            </code>
            <Button
              type="button"
              variant="secondary"
              size="sm"
              onClick={() => {
                void navigator.clipboard?.writeText(created.key).then(
                  () => setCopied(true),
                  () => setCopied(false),
                );
              }}
            >
              {copied ? <Check className="h-3.5 w-3.5" /> : <Copy className="h-3.5 w-3.5" />} {copied ? 'Copied' : 'Copy'}
            </Button>
          </div>
        </Alert>
      ) : null}
      <Card>
        <CardHeader title="Create a key" description="Name it after where it will be used (a cluster, a notebook, CI)." />
        <form className="flex flex-wrap items-end gap-3 px-5 py-4" onSubmit={onSubmit} noValidate>
          <div className="min-w-64 flex-1">
            <Field label="Name" htmlFor="api-key-name" error={nameError ?? undefined}>
              <Input id="api-key-name" placeholder="gpu-cluster" value={name} invalid={!!nameError} onChange={(e) => setName(e.target.value)} />
            </Field>
          </div>
          <div className="w-44">
            <Field label="Expires" htmlFor="api-key-expires">
              <Select id="api-key-expires" value={expires} onChange={(e) => setExpires(e.target.value)}>
                <option value="">never</option>
                <option value="30">in 30 days</option>
                <option value="90">in 90 days</option>
                <option value="365">in a year</option>
              </Select>
            </Field>
          </div>
          <Button type="submit" disabled={create.isPending}>
            <KeyRound className="h-4 w-4" /> Create key
          </Button>
        </form>
      </Card>
      <Card>
        <CardHeader title={canManageAll ? "The team's keys" : 'Your keys'} description={canManageAll ? 'As an admin you can revoke any member’s key.' : undefined} />
        {keys.data && keys.data.length === 0 ? <p className="px-5 py-4 text-sm text-slate-500">No keys yet.</p> : null}
        {keys.data && keys.data.length > 0 ? (
          <table className="w-full text-sm" data-testid="api-keys-table">
            <THead>
              <tr>
                <th className="px-5 py-2 font-medium">Name</th>
                <th className="px-5 py-2 font-medium">Key</th>
                {canManageAll ? <th className="px-5 py-2 font-medium">Owner</th> : null}
                <th className="px-5 py-2 font-medium">Created</th>
                <th className="px-5 py-2 font-medium">Last used</th>
                <th className="px-5 py-2 font-medium">Expires</th>
                <th className="px-5 py-2" />
              </tr>
            </THead>
            <tbody className="divide-y divide-slate-100">
              {keys.data.map((k) => {
                const expired = !!k.expiresAt && new Date(k.expiresAt).getTime() < Date.now();
                return (
                  <tr key={k.id} data-testid={`api-key-${k.name}`}>
                    <td className="whitespace-nowrap px-5 py-2.5 font-medium">{k.name}</td>
                    <td className="px-5 py-2.5 font-mono text-xs text-slate-500">{k.prefix}…</td>
                    {canManageAll ? <td className="px-5 py-2.5 text-slate-600">{k.mine ? 'you' : k.user.email}</td> : null}
                    <td className="px-5 py-2.5 text-slate-600">{when(k.createdAt)}</td>
                    <td className="px-5 py-2.5 text-slate-600">{k.lastUsedAt ? when(k.lastUsedAt) : 'never'}</td>
                    <td className="px-5 py-2.5 text-slate-600">{k.expiresAt ? when(k.expiresAt) : 'never'}</td>
                    <td className="px-5 py-2.5 text-right">
                      {k.revokedAt ? (
                        <Badge tone="red">revoked</Badge>
                      ) : expired ? (
                        <Badge tone="amber">expired</Badge>
                      ) : (
                        <Button
                          variant="danger"
                          size="sm"
                          disabled={revoke.isPending}
                          onClick={() => confirm(`Revoke “${k.name}”? Programs using it stop working at once.`) && revoke.mutate({ teamId, keyId: k.id })}
                        >
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
      </Card>
    </div>
  );
}
