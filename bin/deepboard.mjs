#!/usr/bin/env node
// The `deepboard` command. Runs the TypeScript sources through tsx, so there is no separate
// build step for the CLI and the worker.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.DEEPBOARD_ROOT ??= root;
register({ tsconfig: path.join(root, 'tsconfig.json') });

// Settings are checked before the commands load (some modules size their limits from them when
// imported): a bad value exits 2 with one line naming the variable, as bad usage does.
const { SettingsError, validateEnv } = await import(pathToFileURL(path.join(root, 'lib', 'env.ts')).href);
try {
  validateEnv();
} catch (err) {
  if (!(err instanceof SettingsError)) throw err;
  process.stderr.write(`deepboard: ${err.message}\n`);
  process.exit(2);
}

const { runCli } = await import(pathToFileURL(path.join(root, 'server', 'cli', 'entry.ts')).href);
const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text + '\n'),
  stderr: (text) => process.stderr.write(text + '\n'),
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
