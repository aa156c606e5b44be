'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { GATE_METRICS, type FairnessGate } from '@/lib/fairness/gates';
import { GATE_PRESETS } from '@/lib/schemas/gates';
import { Alert, Badge, Button, Card, CardHeader, Field, Input, Select, THead } from '../../../_components/ui';
import { useTRPC } from '../../../_trpc/client';

const OPS = ['<=', '<', '>=', '>'] as const;

export function PolicyPanel({ teamId, canManage }: { teamId: string; canManage: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const rules = useQuery(trpc.gates.list.queryOptions({ teamId }));
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState({ name: '', metric: 'demographic_parity_ratio' as FairnessGate['metric'], op: '>=' as FairnessGate['op'], value: '0.8', attribute: '', method: 'between_groups' });
  const refresh = () => void qc.invalidateQueries({ queryKey: trpc.gates.list.queryKey({ teamId }) });
  const onError = (e: { message: string }) => setError(e.message);
  const create = useMutation(trpc.gates.create.mutationOptions({ onSuccess: () => (refresh(), setError(null)), onError }));
  const toggle = useMutation(trpc.gates.setEnabled.mutationOptions({ onSuccess: refresh, onError }));
  const remove = useMutation(trpc.gates.delete.mutationOptions({ onSuccess: refresh, onError }));

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const value = Number(draft.value);
    if (draft.value.trim() === '' || !Number.isFinite(value)) return setError('Value must be a number, e.g. 0.8');
    create.mutate({
      teamId,
      name: draft.name || undefined,
      rule: {
        metric: draft.metric,
        op: draft.op,
        value,
        ...(draft.attribute.trim() ? { attribute: draft.attribute.trim() } : {}),
        ...(draft.method === 'to_overall' ? { method: 'to_overall' as const } : {}),
      },
    });
  }

  return (
    <div className="space-y-6">
      {error ? <Alert>{error}</Alert> : null}
      <Card>
        <CardHeader title="Gate rules" description="A run passes when every enabled rule holds on every sensitive attribute the rule covers. An unmeasurable metric never passes." />
        <table className="w-full text-sm" data-testid="gate-rules">
          <THead>
            <tr>
              <th className="px-5 py-2 font-medium">Rule</th>
              <th className="px-5 py-2 font-medium">Condition</th>
              <th className="px-5 py-2 font-medium">Added by</th>
              <th className="px-5 py-2 font-medium">State</th>
              <th className="px-5 py-2" />
            </tr>
          </THead>
          <tbody className="divide-y divide-slate-100">
            {(rules.data ?? []).map((r) => (
              <tr key={r.id}>
                <td className="px-5 py-2.5 font-medium">{r.name}</td>
                <td className="px-5 py-2.5 font-mono text-xs">{r.description}</td>
                <td className="px-5 py-2.5 text-slate-600">{r.createdBy?.name ?? '—'}</td>
                <td className="px-5 py-2.5">{r.enabled ? <Badge tone="green">enabled</Badge> : <Badge>disabled</Badge>}</td>
                <td className="space-x-2 px-5 py-2.5 text-right">
                  {canManage ? (
                    <>
                      <Button size="sm" variant="secondary" onClick={() => toggle.mutate({ teamId, ruleId: r.id, enabled: !r.enabled })}>
                        {r.enabled ? 'Disable' : 'Enable'}
                      </Button>
                      <Button size="sm" variant="danger" onClick={() => confirm(`Delete the rule “${r.name}”?`) && remove.mutate({ teamId, ruleId: r.id })}>
                        Delete
                      </Button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
            {rules.data && rules.data.length === 0 ? (
              <tr>
                <td colSpan={5} className="px-5 py-6 text-center text-slate-500">
                  No rules yet: runs show no gate status.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </Card>
      {canManage ? (
        <Card>
          <CardHeader title="Add a rule" description="Fairlearn disparities are read per sensitive attribute (and their intersection); AIF360 metrics need a reference group." />
          <div className="flex flex-wrap gap-2 px-5 pt-4">
            {GATE_PRESETS.map((p) => (
              <Button key={p.name} size="sm" variant="secondary" onClick={() => create.mutate({ teamId, name: p.name, rule: p.rule })}>
                + {p.name}
              </Button>
            ))}
          </div>
          <form className="grid grid-cols-2 gap-4 p-5 md:grid-cols-6" onSubmit={submit} aria-label="Add a gate rule">
            <div className="md:col-span-2">
              <Field label="Name (optional)" htmlFor="gate-name-optional">
                <Input id="gate-name-optional" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} placeholder="Four-fifths rule" />
              </Field>
            </div>
            <div className="md:col-span-2">
              <Field label="Metric" htmlFor="gate-metric">
                <Select id="gate-metric" value={draft.metric} onChange={(e) => setDraft({ ...draft, metric: e.target.value as FairnessGate['metric'] })}>
                  {GATE_METRICS.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </Select>
              </Field>
            </div>
            <Field label="Condition" htmlFor="gate-condition">
              <Select id="gate-condition" value={draft.op} onChange={(e) => setDraft({ ...draft, op: e.target.value as FairnessGate['op'] })}>
                {OPS.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </Select>
            </Field>
            <Field label="Value" htmlFor="gate-value">
              <Input id="gate-value" value={draft.value} inputMode="decimal" onChange={(e) => setDraft({ ...draft, value: e.target.value })} />
            </Field>
            <div className="md:col-span-2">
              <Field label="Attribute (optional)" htmlFor="gate-attribute-optional">
                <Input id="gate-attribute-optional" value={draft.attribute} onChange={(e) => setDraft({ ...draft, attribute: e.target.value })} placeholder="every attribute" />
              </Field>
            </div>
            <div className="md:col-span-2">
              <Field label="Compared" htmlFor="gate-compared">
                <Select id="gate-compared" value={draft.method} onChange={(e) => setDraft({ ...draft, method: e.target.value })}>
                  <option value="between_groups">between groups</option>
                  <option value="to_overall">each group to overall</option>
                </Select>
              </Field>
            </div>
            <div className="flex items-end md:col-span-2">
              <Button type="submit" disabled={create.isPending}>
                Add rule
              </Button>
            </div>
          </form>
        </Card>
      ) : (
        <p className="text-sm text-slate-500">Only admins and owners change the policy.</p>
      )}
    </div>
  );
}
