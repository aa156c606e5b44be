/** A URL slug from a display name: "Demo Lab" → "demo-lab". */
export function slugify(name: string, maxLength = 40): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
  return s.length >= 2 ? s : `t-${s || 'x'}`;
}
