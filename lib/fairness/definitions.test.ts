import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_DEFINITIONS, DISPARITY_DEFINITIONS } from './definitions';
import { DISPARITY_METRICS } from './metrics';
import { GATE_METRICS } from './gates';

describe('fairness definitions', () => {
  it('the README documents every formula the report page shows, word for word', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    for (const d of ALL_DEFINITIONS) {
      expect(readme, d.key).toContain(`| ${d.name} | \`${d.formula.replaceAll('|', '\\|')}\` | ${d.source} |`);
    }
  });

  it('defines every disparity and every gate metric', () => {
    const keys = new Set(DISPARITY_DEFINITIONS.map((d) => d.key));
    for (const m of [...DISPARITY_METRICS, ...GATE_METRICS]) expect(keys.has(m), m).toBe(true);
  });
});
