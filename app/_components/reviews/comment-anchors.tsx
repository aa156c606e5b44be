'use client';

import { MessageSquarePlus } from 'lucide-react';
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { CommentAnchor } from '@/lib/schemas/reviews';
import { cn } from '../ui';

/**
 * Lets report sections (group rows, disparities, charts, attributions) start a comment anchored
 * to them: a small button beside each opens the review panel's composer on that anchor. Without
 * a provider (e.g. on a printed model card) the buttons render nothing.
 */

export const anchorId = (a: CommentAnchor) => `${a.kind}:${a.key}`;

export function anchorLabel(a: { kind: string; key: string }): string {
  const kind = { 'group-row': 'Group', disparity: 'Disparity', chart: 'Chart', attribution: 'Attribution', general: 'General' }[a.kind] ?? a.kind;
  return a.key ? `${kind}: ${a.key.replace(/\//g, ' · ')}` : kind;
}

interface Anchors {
  draft: CommentAnchor | null;
  open: (a: CommentAnchor) => void;
  clear: () => void;
  counts: Map<string, number>;
}

const Ctx = createContext<Anchors | null>(null);

export function CommentAnchorProvider({ counts, children }: { counts: Map<string, number>; children: ReactNode }) {
  const [draft, setDraft] = useState<CommentAnchor | null>(null);
  const value = useMemo<Anchors>(
    () => ({
      draft,
      counts,
      clear: () => setDraft(null),
      open: (a) => {
        setDraft(a);
        requestAnimationFrame(() => document.getElementById('comment-composer')?.scrollIntoView({ behavior: 'smooth', block: 'center' }));
        setTimeout(() => (document.getElementById('comment-body') as HTMLTextAreaElement | null)?.focus(), 300);
      },
    }),
    [draft, counts],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export const useCommentAnchors = () => useContext(Ctx);

export function CommentButton({ anchor, className }: { anchor: CommentAnchor; className?: string }) {
  const ctx = useCommentAnchors();
  if (!ctx) return null;
  const n = ctx.counts.get(anchorId(anchor)) ?? 0;
  return (
    <button
      type="button"
      onClick={() => ctx.open(anchor)}
      title={`Comment on ${anchorLabel(anchor)}`}
      aria-label={`Comment on ${anchorLabel(anchor)}`}
      data-testid={`comment-on-${anchorId(anchor)}`}
      className={cn('inline-flex items-center gap-0.5 rounded px-1 align-middle text-[11px] text-slate-400 hover:bg-brand-50 hover:text-brand-700 print:hidden', n > 0 && 'text-brand-700', className)}
    >
      <MessageSquarePlus className="h-3.5 w-3.5" />
      {n > 0 ? n : null}
    </button>
  );
}
