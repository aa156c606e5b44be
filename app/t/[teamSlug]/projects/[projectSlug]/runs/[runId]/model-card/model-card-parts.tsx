'use client';

import { useMutation } from '@tanstack/react-query';
import { Printer } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Markdown } from '../../../../../../../_components/markdown';
import { Alert, Button } from '../../../../../../../_components/ui';
import { useTRPC } from '../../../../../../../_trpc/client';

export function PrintButton() {
  return (
    <Button variant="secondary" size="sm" onClick={() => window.print()}>
      <Printer className="h-4 w-4" /> Print
    </Button>
  );
}

/** One hand-written section of the model card: Markdown shown, edited in place by members. */
export function CardText({
  teamId,
  runId,
  field,
  label,
  value,
  editable,
  placeholder,
}: {
  teamId: string;
  runId: string;
  field: 'intendedUse' | 'outOfScope' | 'ethical' | 'caveats';
  label: string;
  value: string;
  editable: boolean;
  placeholder: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const save = useMutation(trpc.modelCards.update.mutationOptions({ onSuccess: () => (setEditing(false), router.refresh()) }));
  if (editing) {
    return (
      <form
        className="space-y-2 print:hidden"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ teamId, runId, [field]: draft });
        }}
      >
        <textarea
          aria-label={label}
          className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          rows={4}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          placeholder={placeholder}
          autoFocus
        />
        {save.error ? <Alert>{save.error.message}</Alert> : null}
        <div className="flex gap-2">
          <Button type="submit" size="sm" disabled={save.isPending}>
            Save
          </Button>
          <Button type="button" variant="ghost" size="sm" onClick={() => (setDraft(value), setEditing(false))}>
            Cancel
          </Button>
        </div>
      </form>
    );
  }
  return (
    <div className="group">
      {value.trim() ? <Markdown source={value} /> : <p className="italic text-slate-400">Not stated.</p>}
      {editable ? (
        <button type="button" className="mt-1 text-xs text-brand-700 hover:underline print:hidden" onClick={() => setEditing(true)} aria-label={`Edit ${label.toLowerCase()}`}>
          Edit
        </button>
      ) : null}
    </div>
  );
}
