'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Alert, Button, Card, Field, Input, Select, THead } from '../../../_components/ui';
import { useTRPC } from '../../../_trpc/client';

/** Plain words for an event's details. */
function describe(details: Record<string, unknown>): string {
  const parts: string[] = [];
  const d = details as Record<string, string | number | string[] | null | Record<string, unknown>>;
  if (d.title) parts.push(`“${String(d.title)}”`);
  if (d.runNumber) parts.push(`run #${String(d.runNumber)}`);
  if (d.verdict) parts.push(String(d.verdict).toLowerCase().replace('_', ' '));
  if (d.justification) parts.push(`— ${String(d.justification)}`);
  if (d.excerpt) parts.push(`“${String(d.excerpt)}”`);
  if (d.anchor && typeof d.anchor === 'object' && (d.anchor as { kind: string }).kind !== 'general') parts.push(`on ${(d.anchor as { kind: string }).kind} ${(d.anchor as { key: string }).key}`);
  if (d.from && d.to) parts.push(`${String(d.from).toLowerCase()} → ${String(d.to).toLowerCase()}`);
  if (d.email) parts.push(String(d.email));
  if (d.role && !d.from) parts.push(String(d.role).toLowerCase());
  if (d.name) parts.push(String(d.name));
  if (Array.isArray(d.fields)) parts.push(`fields ${d.fields.join(', ')}`);
  if (d.gateStatus === 'fail') parts.push('(policy failing)');
  return parts.join(' ');
}

export function AuditTrail({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const [filters, setFilters] = useState({ actorId: '', action: '', from: '', to: '' });
  const options = useQuery(trpc.audit.filters.queryOptions({ teamId }));
  const input = {
    teamId,
    limit: 50,
    ...(filters.actorId ? { actorId: filters.actorId } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
  };
  const events = useInfiniteQuery(trpc.audit.list.infiniteQueryOptions(input, { getNextPageParam: (p) => p.nextCursor ?? undefined }));
  const rows = events.data?.pages.flatMap((p) => p.events) ?? [];
  const set = (k: keyof typeof filters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [k]: e.target.value }));
  const groups = [...new Set((options.data?.actions ?? []).map((a) => a.split('.')[0]!))];
  return (
    <Card>
      <div className="flex flex-wrap items-end gap-3 border-b border-slate-100 p-4" data-testid="audit-filters">
        <Field label="Actor" htmlFor="audit-actor">
          <Select id="audit-actor" value={filters.actorId} onChange={set('actorId')}>
            <option value="">Anyone</option>
            {(options.data?.actors ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.email})
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Action" htmlFor="audit-action">
          <Select id="audit-action" value={filters.action} onChange={set('action')}>
            <option value="">Any action</option>
            {groups.map((g) => (
              <optgroup key={g} label={g}>
                <option value={`${g}.*`}>all {g.replace('_', ' ')} actions</option>
                {(options.data?.actions ?? [])
                  .filter((a) => a.startsWith(`${g}.`))
                  .map((a) => (
                    <option key={a} value={a}>
                      {a}
                    </option>
                  ))}
              </optgroup>
            ))}
          </Select>
        </Field>
        <Field label="From" htmlFor="audit-from">
          <Input id="audit-from" type="date" value={filters.from} onChange={set('from')} />
        </Field>
        <Field label="To" htmlFor="audit-to">
          <Input id="audit-to" type="date" value={filters.to} onChange={set('to')} />
        </Field>
        {Object.values(filters).some(Boolean) ? (
          <Button variant="ghost" size="sm" onClick={() => setFilters({ actorId: '', action: '', from: '', to: '' })}>
            Clear filters
          </Button>
        ) : null}
      </div>
      {events.error ? <Alert className="m-4">{events.error.message}</Alert> : null}
      <table className="w-full text-sm" data-testid="audit-events">
        <THead>
          <tr>
            <th className="px-4 py-2 font-medium">When (UTC)</th>
            <th className="px-4 py-2 font-medium">Who</th>
            <th className="px-4 py-2 font-medium">Action</th>
            <th className="px-4 py-2 font-medium">Details</th>
          </tr>
        </THead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((e) => (
            <tr key={e.id} data-testid="audit-row">
              <td className="whitespace-nowrap px-4 py-2 font-mono text-xs">{new Date(e.createdAt).toISOString().slice(0, 19).replace('T', ' ')}</td>
              <td className="px-4 py-2">{e.actor?.name ?? 'system'}</td>
              <td className="px-4 py-2 font-mono text-xs">{e.action}</td>
              <td className="px-4 py-2 text-xs text-slate-600">{describe(e.details)}</td>
            </tr>
          ))}
          {rows.length === 0 && !events.isLoading ? (
            <tr>
              <td colSpan={4} className="px-4 py-6 text-center text-sm text-slate-500">
                No events match.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {events.hasNextPage ? (
        <div className="p-4">
          <Button variant="secondary" size="sm" disabled={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
            Load older events
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
