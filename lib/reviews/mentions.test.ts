import { describe, expect, it } from 'vitest';
import { findMentions } from './mentions';

const members = [
  { id: 'ana', name: 'Ana', email: 'ana@lab.org' },
  { id: 'analo', name: 'Ana Lopez', email: 'lopez@lab.org' },
  { id: 'ben', name: 'Ben Okoye', email: 'ben@lab.org' },
];

describe('@mentions', () => {
  it('finds members by full name (longest first) or e-mail, case-insensitively', () => {
    expect(findMentions('@Ana Lopez please look', members)).toEqual(['analo']);
    expect(findMentions('@ana and @BEN@lab.org', members).sort()).toEqual(['ana', 'ben']);
    expect(findMentions('cc @ben okoye.', members)).toEqual(['ben']);
  });

  it('ignores partial names, e-mail text without @, and code', () => {
    expect(findMentions('@Anabel and ana@lab.org', members)).toEqual([]);
    expect(findMentions('`@Ben Okoye` in code', members)).toEqual([]);
  });
});
