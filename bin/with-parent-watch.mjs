#!/usr/bin/env node
// Runs a Node script that must not outlive the process that started it: `deepboard start` runs
// the web server and the worker through this, so that if the supervisor is killed outright
// (kill -9), they receive SIGTERM and shut down gracefully instead of lingering as orphans.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [, , parentArg, script, ...args] = process.argv;
const parent = Number(parentArg);
if (!Number.isInteger(parent) || !script) {
  console.error('usage: with-parent-watch.mjs PARENT_PID SCRIPT [ARGS…]');
  process.exit(2);
}
const timer = setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }
}, 1000);
timer.unref();
process.argv = [process.argv[0], path.resolve(script), ...args];
await import(pathToFileURL(path.resolve(script)).href);
