import { Fragment, type ReactNode } from 'react';
import { parseMarkdown, type Block, type Inline } from '@/lib/markdown';

/** Renders the safe Markdown subset of lib/markdown.ts as React elements (never raw HTML). */
function inline(nodes: Inline[]): ReactNode {
  return nodes.map((n, i) => {
    switch (n.type) {
      case 'text':
        return <Fragment key={i}>{n.text}</Fragment>;
      case 'strong':
        return <strong key={i}>{inline(n.children)}</strong>;
      case 'em':
        return <em key={i}>{inline(n.children)}</em>;
      case 'code':
        return (
          <code key={i} className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.85em]">
            {n.text}
          </code>
        );
      case 'link':
        return (
          <a key={i} href={n.href} className="text-brand-700 underline" rel="noopener noreferrer nofollow" target={n.href.startsWith('/') || n.href.startsWith('#') ? undefined : '_blank'}>
            {inline(n.children)}
          </a>
        );
      case 'mention':
        return (
          <span key={i} className="rounded bg-brand-50 px-0.5 font-medium text-brand-700">
            {n.text}
          </span>
        );
    }
  });
}

function block(b: Block, i: number): ReactNode {
  switch (b.type) {
    case 'p':
      return (
        <p key={i} className="whitespace-pre-line">
          {inline(b.children)}
        </p>
      );
    case 'h': {
      const Tag = (['h3', 'h4', 'h5'] as const)[b.level - 1]!;
      return (
        <Tag key={i} className="font-semibold">
          {inline(b.children)}
        </Tag>
      );
    }
    case 'ul':
    case 'ol': {
      const Tag = b.type;
      return (
        <Tag key={i} className={b.type === 'ul' ? 'list-disc pl-5' : 'list-decimal pl-5'}>
          {b.items.map((item, k) => (
            <li key={k}>{inline(item)}</li>
          ))}
        </Tag>
      );
    }
    case 'quote':
      return (
        <blockquote key={i} className="border-l-2 border-slate-300 pl-3 text-slate-600">
          {b.children.map(block)}
        </blockquote>
      );
    case 'pre':
      return (
        <pre key={i} className="overflow-auto rounded bg-slate-100 p-2 font-mono text-xs">
          {b.text}
        </pre>
      );
  }
}

export function Markdown({ source, className, mentions }: { source: string; className?: string; mentions?: string[] }) {
  return <div className={`space-y-2 break-words text-sm ${className ?? ''}`}>{parseMarkdown(source, mentions).map(block)}</div>;
}
