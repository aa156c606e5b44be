/**
 * A small, safe Markdown subset for comments: paragraphs, headings (#–###), bullet and numbered
 * lists, block quotes, fenced code, and inline **bold**, *italic*, `code`, [links](https://…)
 * and @mentions. It parses to a tree that React renders as elements, so raw HTML in a comment is
 * shown as text, never interpreted; links keep only http(s), mailto and same-site paths.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'strong' | 'em'; children: Inline[] }
  | { type: 'code'; text: string }
  | { type: 'link'; href: string; children: Inline[] }
  | { type: 'mention'; text: string };

export type Block =
  | { type: 'p'; children: Inline[] }
  | { type: 'h'; level: 1 | 2 | 3; children: Inline[] }
  | { type: 'ul' | 'ol'; items: Inline[][] }
  | { type: 'quote'; children: Block[] }
  | { type: 'pre'; text: string };

/** A link target that is safe to put in href, or null. */
export function safeHref(href: string): string | null {
  const h = href.trim();
  if (/^(https?:|mailto:)/i.test(h)) return h;
  if (h.startsWith('/') && !h.startsWith('//')) return h;
  if (h.startsWith('#')) return h;
  return null;
}

function knownMention(rest: string, known: readonly string[]): RegExpExecArray | null {
  for (const name of known) {
    const candidate = rest.slice(1, 1 + name.length);
    if (candidate.toLowerCase() === name.toLowerCase() && !/[\p{L}\p{N}_]/u.test(rest[1 + name.length] ?? '')) return /^[\s\S]*/.exec(rest.slice(0, 1 + name.length));
  }
  return null;
}

/** `mentions`: names (or e-mails) of mentioned members, so "@Ana Ruiz" is one mention, not "@Ana". */
export function parseInline(src: string, mentions: readonly string[] = []): Inline[] {
  const known = [...mentions].filter(Boolean).sort((a, b) => b.length - a.length);
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ type: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if (rest[0] === '\\' && rest.length > 1 && /[\\`*_[\]()@#>-]/.test(rest[1]!)) {
      text += rest[1];
      i += 2;
    } else if ((m = /^`([^`]+)`/.exec(rest))) {
      flush();
      out.push({ type: 'code', text: m[1]! });
      i += m[0].length;
    } else if ((m = /^\*\*(?=\S)([\s\S]*?\S)\*\*/.exec(rest)) || (m = /^__(?=\S)([\s\S]*?\S)__/.exec(rest))) {
      flush();
      out.push({ type: 'strong', children: parseInline(m[1]!, mentions) });
      i += m[0].length;
    } else if ((m = /^\*(?=\S)([^*]*?\S)\*/.exec(rest)) || ((i === 0 || /\W/.test(src[i - 1]!)) && (m = /^_(?=\S)([^_]*?\S)_(?!\w)/.exec(rest)))) {
      flush();
      out.push({ type: 'em', children: parseInline(m[1]!, mentions) });
      i += m[0].length;
    } else if ((m = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(rest))) {
      const href = safeHref(m[2]!);
      flush();
      if (href) out.push({ type: 'link', href, children: parseInline(m[1]!, mentions) });
      else out.push({ type: 'text', text: m[1]! });
      i += m[0].length;
    } else if ((m = /^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/.exec(rest)) && (i === 0 || /[\s(]/.test(src[i - 1]!))) {
      flush();
      out.push({ type: 'link', href: m[0], children: [{ type: 'text', text: m[0] }] });
      i += m[0].length;
    } else if (rest[0] === '@' && (i === 0 || /[^\w@]/.test(src[i - 1]!)) && (m = knownMention(rest, known) ?? /^@[\w.+-]+(@[\w-]+(\.[\w-]+)+)?/.exec(rest))) {
      flush();
      out.push({ type: 'mention', text: m[0] });
      i += m[0].length;
    } else {
      text += src[i];
      i += 1;
    }
  }
  flush();
  return out;
}

export function parseMarkdown(src: string, mentions: readonly string[] = [], depth = 0): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const flushPara = () => {
    if (para.length) blocks.push({ type: 'p', children: parseInline(para.join('\n'), mentions) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if (/^\s*```/.test(line)) {
      flushPara();
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i]!)) body.push(lines[i++]!);
      blocks.push({ type: 'pre', text: body.join('\n') });
    } else if (line.trim() === '') {
      flushPara();
    } else if ((m = /^(#{1,3})\s+(.*)$/.exec(line))) {
      flushPara();
      blocks.push({ type: 'h', level: m[1]!.length as 1 | 2 | 3, children: parseInline(m[2]!.trim(), mentions) });
    } else if (/^\s*>/.test(line) && depth < 3) {
      flushPara();
      const body: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i]!)) body.push(lines[i++]!.replace(/^\s*>\s?/, ''));
      i--;
      blocks.push({ type: 'quote', children: parseMarkdown(body.join('\n'), mentions, depth + 1) });
    } else if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      flushPara();
      const ordered = /^\s*\d+[.)]\s+/.test(line);
      const re = ordered ? /^\s*\d+[.)]\s+(.*)$/ : /^\s*[-*+]\s+(.*)$/;
      const items: Inline[][] = [];
      while (i < lines.length && re.test(lines[i]!)) items.push(parseInline(re.exec(lines[i++]!)![1]!, mentions));
      i--;
      blocks.push({ type: ordered ? 'ol' : 'ul', items });
    } else {
      para.push(line);
    }
  }
  flushPara();
  return blocks;
}

/** The plain text of a comment (notification previews, e-mails). */
export function markdownToText(src: string, max = 200): string {
  const inline = (xs: Inline[]): string => xs.map((x) => ('children' in x ? inline(x.children) : x.text)).join('');
  const text = parseMarkdown(src)
    .map((b) => (b.type === 'p' || b.type === 'h' ? inline(b.children) : b.type === 'pre' ? b.text : b.type === 'quote' ? '…' : b.items.map(inline).join('; ')))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
