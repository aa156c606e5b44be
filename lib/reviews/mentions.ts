/**
 * @mentions in comments: `@ana@lab.org` (an e-mail) or `@Ana Lopez` (a member's full name,
 * case-insensitive, not followed by a letter or digit). Longer names match first, so "@Ana
 * Lopez" mentions Ana Lopez, not a member named Ana.
 */
export interface Mentionable {
  id: string;
  name: string;
  email: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function findMentions(body: string, members: readonly Mentionable[]): string[] {
  const found = new Set<string>();
  let text = body.replace(/```[\s\S]*?```|`[^`\n]*`/g, ' '); // code is not a mention
  const candidates = members
    .flatMap((m) => [
      { id: m.id, token: m.email },
      { id: m.id, token: m.name.trim() },
    ])
    .filter((c) => c.token.length > 0)
    .sort((a, b) => b.token.length - a.token.length);
  for (const c of candidates) {
    const re = new RegExp(`(^|[^\\w@])@${escape(c.token)}(?![\\p{L}\\p{N}_])`, 'giu');
    if (re.test(text)) {
      found.add(c.id);
      text = text.replace(re, '$1');
    }
  }
  return [...found];
}
