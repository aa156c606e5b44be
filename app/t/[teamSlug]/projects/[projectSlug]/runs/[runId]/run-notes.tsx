'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState, type ReactNode } from 'react';
import { Alert, Badge, Button, Card, CardHeader, Input } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';

/** Markdown subset (headings, lists, **bold**, *italic*, `code`) rendered as React elements: no HTML injection. */
function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /(\*\*[^*]+\*\*|\*[^*]+\*|`[^`]+`)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) out.push(text.slice(last, m.index));
    const t = m[0];
    out.push(
      t.startsWith('**') ? (
        <strong key={m.index}>{t.slice(2, -2)}</strong>
      ) : t.startsWith('`') ? (
        <code key={m.index} className="rounded bg-slate-100 px-1">
          {t.slice(1, -1)}
        </code>
      ) : (
        <em key={m.index}>{t.slice(1, -1)}</em>
      ),
    );
    last = m.index! + t.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function Markdown({ text }: { text: string }) {
  const lines = text.split('\n');
  return (
    <div className="space-y-1 text-sm" data-testid="run-notes-view">
      {lines.map((l, i) => {
        const h = /^(#{1,3})\s+(.*)$/.exec(l);
        if (h)
          return (
            <p key={i} className={h[1]!.length === 1 ? 'text-base font-semibold' : 'font-semibold'}>
              {inline(h[2]!)}
            </p>
          );
        if (/^\s*[-*]\s+/.test(l))
          return (
            <p key={i} className="pl-4">
              • {inline(l.replace(/^\s*[-*]\s+/, ''))}
            </p>
          );
        return l.trim() ? <p key={i}>{inline(l)}</p> : <Fragment key={i}>{null}</Fragment>;
      })}
    </div>
  );
}

export function RunNotes({ teamId, runId, notes, tags, canWrite }: { teamId: string; runId: string; notes: string; tags: string[]; canWrite: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(notes);
  const [tagText, setTagText] = useState(tags.join(', '));
  const update = useMutation(
    trpc.runs.update.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        void qc.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ teamId, runId }) });
      },
    }),
  );
  return (
    <Card>
      <CardHeader
        title="Notes and tags"
        actions={
          canWrite && !editing ? (
            <Button variant="secondary" size="sm" onClick={() => (setDraft(notes), setTagText(tags.join(', ')), setEditing(true))}>
              Edit
            </Button>
          ) : null
        }
      />
      <div className="space-y-3 px-5 py-4">
        {update.error ? <Alert>{update.error.message}</Alert> : null}
        {editing ? (
          <>
            <textarea aria-label="Notes (markdown)" className="h-40 w-full rounded-md border border-slate-300 p-2 font-mono text-xs" value={draft} onChange={(e) => setDraft(e.target.value)} />
            <Input aria-label="Tags" value={tagText} onChange={(e) => setTagText(e.target.value)} placeholder="baseline, lr-sweep" />
            <div className="flex gap-2">
              <Button
                size="sm"
                disabled={update.isPending}
                onClick={() =>
                  update.mutate({
                    teamId,
                    runId,
                    notes: draft,
                    tags: tagText
                      .split(',')
                      .map((t) => t.trim())
                      .filter(Boolean),
                  })
                }
              >
                Save
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setEditing(false)}>
                Cancel
              </Button>
            </div>
          </>
        ) : (
          <>
            {notes ? <Markdown text={notes} /> : <p className="text-sm text-slate-400">No notes.</p>}
            <div className="flex flex-wrap gap-1" data-testid="run-tags">
              {tags.map((t) => (
                <Badge key={t}>{t}</Badge>
              ))}
            </div>
          </>
        )}
      </div>
    </Card>
  );
}
