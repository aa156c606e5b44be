'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Download, GitBranch, GitCompare } from 'lucide-react';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { ArchitectureEditor, validateDraft, type DraftSpec } from '../../../../../../_components/arch/architecture-editor';
import { Alert, Badge, Button, Card, CardHeader, Input, PageHeader } from '../../../../../../_components/ui';
import { useTRPC, useTRPCClient } from '../../../../../../_trpc/client';

function download(filename: string, data: unknown) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

export function ArchitectureWorkbench({ teamId, architectureId, canWrite, basePath }: { teamId: string; architectureId: string; canWrite: boolean; basePath: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const qc = useQueryClient();
  const router = useRouter();
  const search = useSearchParams();
  const requested = search.get('v') ? Number(search.get('v')) : undefined;

  const arch = useQuery(trpc.architectures.get.queryOptions({ teamId, architectureId }));
  const version = useQuery(trpc.architectures.version.queryOptions({ teamId, architectureId, version: requested }));
  const [draft, setDraft] = useState<DraftSpec | null>(null);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [compare, setCompare] = useState<number[]>([]);
  const [forkName, setForkName] = useState<string | null>(null);

  useEffect(() => {
    if (version.data) setDraft(structuredClone(version.data.spec) as DraftSpec);
  }, [version.data]);

  const validation = useMemo(() => (draft ? validateDraft(draft) : null), [draft]);
  const dirty = !!draft && !!version.data && JSON.stringify(draft) !== JSON.stringify(version.data.spec);
  const isLatest = !!version.data && version.data.version === version.data.latestVersion;

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.architectures.get.queryKey({ teamId, architectureId }) });
    void qc.invalidateQueries({ queryKey: trpc.architectures.version.queryKey() });
  };
  const save = useMutation(
    trpc.architectures.saveVersion.mutationOptions({
      onSuccess: (v) => {
        setMessage('');
        setError(null);
        router.replace(`${basePath}/${architectureId}`);
        refresh();
        void v;
      },
      onError: (e) => setError(e.message),
    }),
  );
  const fork = useMutation(
    trpc.architectures.fork.mutationOptions({
      onSuccess: (res) => router.push(`${basePath}/${res.id}`),
      onError: (e) => setError(e.message),
    }),
  );

  if (arch.error || version.error) return <Alert>{(arch.error ?? version.error)!.message}</Alert>;
  if (!arch.data || !version.data || !draft) return <p className="text-sm text-slate-500">Loading…</p>;

  const a = arch.data;
  const v = version.data;
  const diffHref = compare.length === 2 ? `${basePath}/${architectureId}/diff?from=${Math.min(...compare)}&to=${Math.max(...compare)}` : null;

  return (
    <>
      <PageHeader
        title={
          <span>
            {a.name} <Badge tone="brand">v{v.version}</Badge>
          </span>
        }
        description={
          <>
            {a.kind} network in {a.project.name}
            {a.forkedFrom ? (
              <>
                {' · forked from '}
                <Link className="text-brand-600 hover:underline" href={`${basePath}/${a.forkedFrom.architectureId}?v=${a.forkedFrom.version}`}>
                  {a.forkedFrom.name} v{a.forkedFrom.version}
                </Link>
              </>
            ) : null}
          </>
        }
        actions={
          <div className="flex gap-2">
            <Button
              variant="secondary"
              size="sm"
              onClick={async () => download(`${a.name}-v${v.version}.keras.json`, await client.architectures.exportKeras.query({ teamId, architectureId, version: v.version }))}
            >
              <Download className="h-3.5 w-3.5" /> Keras JSON
            </Button>
            <Button variant="secondary" size="sm" onClick={() => download(`${a.name}-v${v.version}.deepboard.json`, v.spec)}>
              <Download className="h-3.5 w-3.5" /> Spec
            </Button>
            {canWrite ? (
              <Button variant="secondary" size="sm" onClick={() => setForkName(`${a.name} (fork)`)}>
                <GitBranch className="h-3.5 w-3.5" /> Fork
              </Button>
            ) : null}
          </div>
        }
      />
      {error ? <Alert className="mb-4">{error}</Alert> : null}
      {forkName !== null ? (
        <Card className="mb-4 flex items-center gap-3 p-4">
          <span className="text-sm">Fork v{v.version} as</span>
          <Input aria-label="Fork name" value={forkName} onChange={(e) => setForkName(e.target.value)} className="max-w-xs" />
          <Button size="sm" disabled={fork.isPending || !forkName.trim()} onClick={() => fork.mutate({ teamId, architectureId, version: v.version, name: forkName })}>
            Create fork
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setForkName(null)}>
            Cancel
          </Button>
        </Card>
      ) : null}
      {!isLatest ? (
        <Alert tone="info" className="mb-4">
          You are viewing version {v.version} of {v.latestVersion} ({v.message || 'no message'}).{' '}
          <Link className="font-medium underline" href={`${basePath}/${architectureId}`}>
            Go to the latest
          </Link>
          {canWrite ? ' — or edit it here and save: it becomes the newest version.' : ''}
        </Alert>
      ) : null}

      <div className="grid gap-6 2xl:grid-cols-[1fr_300px]">
        <div className="space-y-4">
          <ArchitectureEditor draft={draft} onChange={setDraft} readOnly={!canWrite} />
          {canWrite ? (
            <Card className="flex flex-wrap items-center gap-3 p-4" data-testid="save-bar">
              <Input aria-label="Version message" placeholder="What changed? e.g. wider first layer" value={message} onChange={(e) => setMessage(e.target.value)} className="min-w-72 flex-1" />
              <Button
                disabled={(!dirty && isLatest) || !validation?.summary || !message.trim() || save.isPending}
                onClick={() => validation?.spec && save.mutate({ teamId, architectureId, baseVersion: v.latestVersion, spec: validation.spec, message })}
              >
                {save.isPending ? 'Saving…' : `Save as v${v.latestVersion + 1}`}
              </Button>
              {dirty ? (
                <Button variant="ghost" onClick={() => setDraft(structuredClone(v.spec) as DraftSpec)}>
                  Discard changes
                </Button>
              ) : null}
            </Card>
          ) : null}
        </div>

        <Card className="h-fit">
          <CardHeader
            title="Versions"
            actions={
              diffHref ? (
                <Link href={diffHref} className="inline-flex items-center gap-1 rounded-md bg-brand-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-brand-700">
                  <GitCompare className="h-3.5 w-3.5" /> Compare
                </Link>
              ) : (
                <span className="text-xs text-slate-400">tick two to compare</span>
              )
            }
          />
          <ul className="divide-y divide-slate-100" data-testid="version-history">
            {a.versions.map((ver) => (
              <li key={ver.version} className={`flex items-start gap-2 px-4 py-2.5 text-sm ${ver.version === v.version ? 'bg-brand-50/60' : ''}`}>
                <input
                  type="checkbox"
                  aria-label={`Compare version ${ver.version}`}
                  className="mt-1 accent-brand-600"
                  checked={compare.includes(ver.version)}
                  onChange={(e) => setCompare((c) => (e.target.checked ? [...c.filter((x) => x !== ver.version), ver.version].slice(-2) : c.filter((x) => x !== ver.version)))}
                />
                <div className="min-w-0 flex-1">
                  <Link href={`${basePath}/${architectureId}?v=${ver.version}`} className="font-medium text-brand-700 hover:underline">
                    v{ver.version}
                  </Link>{' '}
                  <span className="text-slate-700">{ver.message}</span>
                  <span className="block text-xs text-slate-400">
                    {ver.totalParams.toLocaleString()} params · {ver.createdBy ?? 'unknown'} · {ver.createdAt.toLocaleString()}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </>
  );
}
