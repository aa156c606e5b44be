// ESLint (flat config): the recommended JS + TypeScript rules, plus the import boundaries the
// layout promises (README "Layout"): lib/ is shared by every process, so it imports none of them;
// the worker may run on another machine, so it imports no web code; the web app never loads the
// worker's TensorFlow.js code. tests/ and bench/ may import anything. `npm run lint`; `npm test`
// runs it first; tests/integration/lint-boundaries.test.ts proves the boundary rule still fires.
import js from '@eslint/js';
import nextPlugin from '@next/eslint-plugin-next';
import { defineConfig } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Each zone: files under `target` may not import anything under `from`. Exported for the test that proves the rule. */
export const BOUNDARY_ZONES = [
  { target: './lib', from: ['./server', './app', './worker'], message: 'lib/ is shared by the web server, the worker and the CLI: it imports none of them.' },
  { target: './worker', from: ['./server', './app'], message: 'The worker is a client of the control plane: it imports no web-server code (move what both need to lib/).' },
  { target: './app', from: ['./worker'], message: 'The web app must not load worker code (TensorFlow.js): move what both need to lib/.' },
];

export default defineConfig(
  {
    ignores: ['node_modules/', '.next/', '.deepboard/', 'lib/db/generated/', 'test-results/', 'playwright-report/', 'coverage/', 'dist/', 'next-env.d.ts', 'bench/results/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Stripping control characters from user input (names, log lines) is what those regexes are for.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read JSON answers of every shape; typing each one would only restate the assertions.
    files: ['tests/**', '**/*.test.ts', '**/*.test.tsx'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    // The two classic hook rules; the React Compiler rules of the plugin's newer presets would need their own pass over the UI.
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    files: ['app/**/*.ts', 'app/**/*.tsx'],
    ...nextPlugin.configs['core-web-vitals'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    plugins: { 'import-x': importX },
    settings: {
      // Resolves the `@/` alias through tsconfig.json, so `@/server/…` counts as ./server.
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json', alwaysTryTypes: true })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: BOUNDARY_ZONES }],
    },
  },
);
