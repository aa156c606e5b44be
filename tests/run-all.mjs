#!/usr/bin/env node
// The README's test command (`npm test`): lint (ESLint, with the import boundaries), type check,
// unit + integration tests (vitest, real Postgres), production build, end-to-end tests (Playwright
// in Chromium). Every step runs even if an earlier one failed; the last line sums the tests:
// "tests: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'test-results');
mkdirSync(out, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const only = process.argv.slice(2); // e.g. `npm test -- unit integration`

const steps = [
  // One pass or one fail, like the build: the lint's own output names each problem.
  { id: 'lint', cmd: bin('eslint'), args: ['--max-warnings', '0', '.'], countOne: true },
  // Formatting is checked, not fixed: `npm run format` rewrites what this names.
  { id: 'format', cmd: bin('prettier'), args: ['--check', '--log-level', 'warn', '.'], countOne: true },
  { id: 'typecheck', cmd: bin('tsc'), args: ['--noEmit', '-p', 'tsconfig.json'] },
  {
    id: 'vitest',
    cmd: bin('vitest'),
    args: ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${path.join(out, 'vitest.json')}`],
    count: () => {
      const r = JSON.parse(readFileSync(path.join(out, 'vitest.json'), 'utf8'));
      return { passed: r.numPassedTests, failed: r.numFailedTests + (r.numTotalTestSuites && !r.success && r.numFailedTests === 0 ? 1 : 0) };
    },
  },
  { id: 'build', cmd: process.execPath, args: [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], env: { NEXT_TELEMETRY_DISABLED: '1' } },
  {
    id: 'e2e',
    cmd: bin('playwright'),
    args: ['test', '--reporter=list,json'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(out, 'playwright.json') },
    count: () => {
      const r = JSON.parse(readFileSync(path.join(out, 'playwright.json'), 'utf8'));
      return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected };
    },
  },
].filter((s) => only.length === 0 || only.includes(s.id) || (s.id === 'vitest' && (only.includes('unit') || only.includes('integration'))));

let passed = 0;
let failed = 0;
const summary = [];
for (const step of steps) {
  const started = Date.now();
  console.log(`\n=== ${step.id} ===`);
  const res = spawnSync(step.cmd, step.args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...(step.env ?? {}) } });
  const ok = res.status === 0;
  let counted = null;
  if (step.count) {
    try {
      counted = step.count();
    } catch {
      counted = null;
    }
  }
  if (counted) {
    passed += counted.passed;
    failed += counted.failed;
    if (!ok && counted.failed === 0) failed += 1; // the runner failed without a failing test (e.g. a crash)
  } else if (step.countOne) {
    if (ok) passed += 1;
    else failed += 1;
  } else if (!ok) failed += 1;
  summary.push(`${ok ? 'ok  ' : 'FAIL'} ${step.id} (${Math.round((Date.now() - started) / 1000)} s)${counted ? `: ${counted.passed} passed, ${counted.failed} failed` : ''}`);
}
console.log(`\n${summary.join('\n')}`);
if (!existsSync(path.join(out))) mkdirSync(out);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
