import { describe, expect, it } from 'vitest';
import { markdownToText, parseInline, parseMarkdown, safeHref } from './markdown';

describe('comment markdown', () => {
  it('parses emphasis, code, links and mentions inline', () => {
    expect(parseInline('**DP gap** of *0.25* in `group c` see [docs](https://fairlearn.org) @ana@lab.org')).toEqual([
      { type: 'strong', children: [{ type: 'text', text: 'DP gap' }] },
      { type: 'text', text: ' of ' },
      { type: 'em', children: [{ type: 'text', text: '0.25' }] },
      { type: 'text', text: ' in ' },
      { type: 'code', text: 'group c' },
      { type: 'text', text: ' see ' },
      { type: 'link', href: 'https://fairlearn.org', children: [{ type: 'text', text: 'docs' }] },
      { type: 'text', text: ' ' },
      { type: 'mention', text: '@ana@lab.org' },
    ]);
  });

  it('keeps raw HTML as text and drops unsafe link targets', () => {
    expect(parseInline('<img src=x onerror=alert(1)>')).toEqual([{ type: 'text', text: '<img src=x onerror=alert(1)>' }]);
    expect(parseInline('[click](javascript:alert(1))')).toEqual([
      { type: 'text', text: 'click' },
      { type: 'text', text: ')' },
    ]);
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('//evil.example')).toBeNull();
    expect(safeHref('data:text/html,x')).toBeNull();
    expect(safeHref('/t/lab/audit')).toBe('/t/lab/audit');
    expect(safeHref('mailto:a@b.c')).toBe('mailto:a@b.c');
  });

  it('does not read snake_case or e-mail addresses as emphasis or mentions', () => {
    expect(parseInline('demographic_parity_difference')).toEqual([{ type: 'text', text: 'demographic_parity_difference' }]);
    expect(parseInline('mail ana@lab.org')).toEqual([{ type: 'text', text: 'mail ana@lab.org' }]);
  });

  it('parses blocks: headings, lists, quotes, fenced code, paragraphs', () => {
    const blocks = parseMarkdown('## Findings\n\n- TPR gap\n- FPR gap\n\n1. retrain\n2. recheck\n\n> quoted **text**\n\n```\n<b>raw</b>\n```\nline one\nline two');
    expect(blocks.map((b) => b.type)).toEqual(['h', 'ul', 'ol', 'quote', 'pre', 'p']);
    expect(blocks[1]).toEqual({ type: 'ul', items: [[{ type: 'text', text: 'TPR gap' }], [{ type: 'text', text: 'FPR gap' }]] });
    expect(blocks[4]).toEqual({ type: 'pre', text: '<b>raw</b>' });
    expect(blocks[5]).toEqual({ type: 'p', children: [{ type: 'text', text: 'line one\nline two' }] });
  });

  it('reads a known member’s full name as one mention', () => {
    expect(parseInline('@Ana Ruiz, see @ana@lab.org', ['Ana Ruiz', 'ana@lab.org'])).toEqual([
      { type: 'mention', text: '@Ana Ruiz' },
      { type: 'text', text: ', see ' },
      { type: 'mention', text: '@ana@lab.org' },
    ]);
    expect(parseInline('@Ana Ruizz', ['Ana Ruiz'])).toEqual([
      { type: 'mention', text: '@Ana' },
      { type: 'text', text: ' Ruizz' },
    ]);
    expect(parseMarkdown('- **@ana ruiz**', ['Ana Ruiz'])).toEqual([{ type: 'ul', items: [[{ type: 'strong', children: [{ type: 'mention', text: '@ana ruiz' }] }]] }]);
  });

  it('gives a plain-text preview for notifications', () => {
    expect(markdownToText('**Bold** and [a link](https://x.org)\n\n- one\n- two')).toBe('Bold and a link one; two');
    expect(markdownToText('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
