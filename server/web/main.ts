import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import next from 'next';
import { SettingsError, env, validateEnv } from '@/lib/env';
import { createDirectApi, type DirectApi } from './direct-api';
import { securityHeaders } from './security-headers.mjs';

/**
 * The production web server (what `deepboard start`, the e2e and chaos tests and the benchmarks
 * run; bin/web.mjs starts it). `next start`, plus the direct API (./direct-api.ts): API-key calls
 * to the REST routes skip Next's per-request pipeline, everything else is Next's.
 *
 *   node bin/web.mjs [-p PORT] [-H HOSTNAME] [--keepAliveTimeout MS]
 *
 * Flags as `next start` takes them (PORT from the environment when -p is not given, default 3000).
 * DEEPBOARD_DIRECT_API=0 sends every request through Next.
 */
const require = createRequire(import.meta.url);

function parsePort(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`the port must be a number between 0 and 65535 (got "${raw}")`);
  return n;
}

/**
 * Next's own compression middleware and its clean-up for clients that leave mid-answer (what
 * Next's router server does), so direct answers are compressed exactly when Next's would be.
 */
type Middleware = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;
const compression = (require('next/dist/compiled/compression') as () => Middleware)();
const { releaseCompressionStream } = require('next/dist/server/lib/release-compression-stream') as { releaseCompressionStream: (res: http.ServerResponse) => void };
function compress(req: http.IncomingMessage, res: http.ServerResponse) {
  compression(req, res, () => {});
  res.once('close', () => {
    if (!res.writableFinished) releaseCompressionStream(res);
  });
}

async function main() {
  validateEnv();
  const { values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      hostname: { type: 'string', short: 'H' },
      keepAliveTimeout: { type: 'string' },
    },
    strict: true,
  });
  const port = values.port !== undefined ? parsePort(values.port) : env().PORT;
  const hostname = values.hostname;
  const dir = env().DEEPBOARD_ROOT ?? path.resolve(import.meta.dirname, '..', '..');

  // The web server keeps runs-table answers until their project changes (search-cache.ts).
  process.env.DEEPBOARD_SEARCH_CACHE ??= '1';
  const app = next({ dev: false, dir, hostname: hostname ?? 'localhost', port });
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  let direct: DirectApi | null = null;
  if (env().DEEPBOARD_DIRECT_API) {
    direct = createDirectApi(path.join(dir, '.next'), { headers: securityHeaders, compress });
  }

  let inFlight = 0;
  let idle: (() => void) | null = null;
  const server = http.createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) idle?.();
    });
    void serve(req, res);
  });
  async function serve(req: http.IncomingMessage, res: http.ServerResponse) {
    try {
      if (direct && (await direct.handle(req, res))) return;
      await nextHandler(req, res);
    } catch (err) {
      // Neither path should throw; if one does, this request fails and the server stays up.
      console.error('[web]', err);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    }
  }
  if (values.keepAliveTimeout) server.keepAliveTimeout = Number(values.keepAliveTimeout);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => resolve());
  });
  const shown = hostname && hostname !== '0.0.0.0' && hostname !== '::' ? hostname : 'localhost';
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  console.log(`  ▲ Deepboard web server on http://${shown}:${actualPort}` + (direct ? ` (direct API: ${direct.patterns.length} REST routes)` : ''));

  // Graceful stop, as `next start` does on SIGTERM / SIGINT, except that requests in progress
  // (a metric batch being written) are allowed to finish first, for up to 10 s.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeIdleConnections();
    const drained = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve));
    void Promise.race([drained, new Promise((r) => setTimeout(r, 10_000).unref())])
      .then(() => app.close())
      .catch((err) => console.error('[web] while stopping:', err))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  if (err instanceof SettingsError) {
    // One line naming the variable, no stack trace; exit 2 as the CLI does for bad usage.
    console.error(`deepboard web: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
