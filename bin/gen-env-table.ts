// Writes the README's configuration table from lib/env.ts (`npm run docs:env`); with --check it
// only says whether the README is current (exit 1 when not). tests/integration/settings.test.ts
// checks the same.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { settingsTable } from '../lib/env';

export const TABLE_BEGIN = '<!-- settings:begin (generated from lib/env.ts by `npm run docs:env`; edit there) -->';
export const TABLE_END = '<!-- settings:end -->';

/** The README with the text between the markers replaced by the generated table. */
export function withSettingsTable(readme: string): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${TABLE_BEGIN} … ${TABLE_END} markers`);
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${settingsTable()}\n${readme.slice(end)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, 'gen-env-table.ts')) {
  const file = path.resolve(import.meta.dirname, '..', 'README.md');
  const readme = readFileSync(file, 'utf8');
  const next = withSettingsTable(readme);
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md: the configuration table differs from lib/env.ts; run `npm run docs:env`');
      process.exit(1);
    }
  } else if (next !== readme) {
    writeFileSync(file, next);
    console.log('README.md: configuration table updated');
  }
}
