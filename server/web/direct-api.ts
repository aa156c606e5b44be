import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ignoreError } from '@/lib/log';

/**
 * The direct API: API-key calls to the REST routes, answered without Next's request pipeline.
 *
 * A metric logger's call costs ~0.6 ms of our own code and ~1.5 ms of Next's routing, request
 * adaptation and route-module preparation, on a single-threaded server. Here a request that
 * carries `Authorization: Bearer …` and whose path matches a REST route calls that route's
 * exported handler (`POST`, `GET`, …) directly — the very function object Next would call, from
 * the same built route module, so there is one implementation and one set of module instances
 * (one pg pool). Anything else returns false and goes to Next unchanged.
 *
 * Only Bearer calls come here because they need nothing of Next's request context: browser
 * sessions read cookies through next/headers, which exists only inside Next's pipeline.
 */

/** The route trees served directly: the REST API and the MLflow-compatible API. */
const PREFIXES = ['/api/v1/', '/api/2.0/mlflow/'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response> | Response;
type Segment = { kind: 'static'; value: string } | { kind: 'param'; name: string } | { kind: 'catchAll'; name: string; optional: boolean };

interface DirectRoute {
  pattern: string;
  segments: Segment[];
  file: string;
  /** The route module's handlers by method, once loaded; null when it could not be loaded. */
  handlers: Promise<Partial<Record<string, Handler>> | null> | null;
}

/** A built app route module as Next's Turbopack output exports it (routeModule.userland = the route file's exports). */
interface BuiltRouteModule {
  routeModule?: { ensureUserland?: () => Promise<void>; userland?: Record<string, unknown> };
}

function parsePattern(pattern: string): Segment[] {
  return pattern
    .split('/')
    .filter(Boolean)
    .map((s): Segment => {
      let m = /^\[\[\.\.\.(.+)\]\]$/.exec(s);
      if (m) return { kind: 'catchAll', name: m[1]!, optional: true };
      m = /^\[\.\.\.(.+)\]$/.exec(s);
      if (m) return { kind: 'catchAll', name: m[1]!, optional: false };
      m = /^\[(.+)\]$/.exec(s);
      if (m) return { kind: 'param', name: m[1]! };
      return { kind: 'static', value: s };
    });
}

/** Next's precedence: at the first differing segment a static name beats a parameter, which beats a catch-all. */
function rank(s: Segment | undefined): number {
  if (!s) return -1;
  return s.kind === 'static' ? 0 : s.kind === 'param' ? 1 : s.optional ? 3 : 2;
}
function byPrecedence(a: DirectRoute, b: DirectRoute): number {
  for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
    const d = rank(a.segments[i]) - rank(b.segments[i]);
    if (d) return d;
  }
  return 0;
}

/** Next hands route handlers their dynamic segments percent-decoded; a segment that does not decode is left to Next. */
function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function match(route: DirectRoute, parts: string[]): Record<string, string | string[]> | null {
  const params: Record<string, string | string[]> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const seg = route.segments[i]!;
    if (seg.kind === 'catchAll') {
      const rest = parts.slice(i).map(decode);
      if (rest.some((p) => p === null) || (!rest.length && !seg.optional)) return null;
      if (rest.length) params[seg.name] = rest as string[];
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (seg.kind === 'static') {
      if (part !== seg.value) return null;
    } else {
      const value = decode(part);
      if (value === null) return null;
      params[seg.name] = value;
    }
  }
  return parts.length === route.segments.length ? params : null;
}

export interface DirectApi {
  /** The routes served directly (for the start-up line and tests). */
  patterns: string[];
  /** Serves `req` when it is an API-key call to one of the routes and returns true; else false and touches nothing. */
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

/**
 * The direct API over a production build in `distDir` (`.next`): its routes come from the build's
 * app-paths manifest, so a new route file under app/api/v1 is served directly after the next build.
 */
export function createDirectApi(
  distDir: string,
  opts: {
    headers: ReadonlyArray<{ key: string; value: string }>;
    /** Sets up response compression on `res` (Next's middleware, so the two paths compress alike). */
    compress?: (req: IncomingMessage, res: ServerResponse) => void;
    log?: (line: string) => void;
  },
): DirectApi {
  const require = createRequire(import.meta.url);
  const log = opts.log ?? ((l: string) => console.error(l));
  const manifest = JSON.parse(readFileSync(path.join(distDir, 'server', 'app-paths-manifest.json'), 'utf8')) as Record<string, string>;
  const routes: DirectRoute[] = Object.entries(manifest)
    .filter(([page]) => page.endsWith('/route'))
    .map(([page, file]) => ({ pattern: page.slice(0, -'/route'.length), file: path.join(distDir, 'server', file) }))
    .filter(({ pattern }) => PREFIXES.some((p) => pattern.startsWith(p)))
    .map(({ pattern, file }) => ({ pattern, segments: parsePattern(pattern), file, handlers: null }));
  routes.sort(byPrecedence);

  /** Loaded on first use, as Next does: the module Node caches here is the one Next requires too. */
  const handlersOf = (route: DirectRoute) =>
    (route.handlers ??= (async () => {
      try {
        const mod = require(route.file) as BuiltRouteModule;
        await mod.routeModule?.ensureUserland?.();
        const userland = mod.routeModule?.userland;
        if (!userland) throw new Error('the built module has no routeModule.userland');
        const out: Partial<Record<string, Handler>> = {};
        for (const m of METHODS) if (typeof userland[m] === 'function') out[m] = userland[m] as Handler;
        return out;
      } catch (err) {
        // A build this code does not understand: Next serves the route, as it would anyway.
        log(`[direct-api] ${route.pattern} is left to Next: ${(err as Error).message}`);
        return null;
      }
    })());

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const auth = req.headers.authorization;
    if (!auth || !/^bearer\s/i.test(auth)) return false;
    const url = req.url ?? '/';
    if (!PREFIXES.some((p) => url.startsWith(p))) return false;
    const q = url.indexOf('?');
    const parts = (q < 0 ? url : url.slice(0, q)).split('/').filter((p, i) => i > 0 || p !== '');
    let route: DirectRoute | undefined;
    let params: Record<string, string | string[]> | null = null;
    for (const r of routes) {
      params = match(r, parts);
      if (params) {
        route = r;
        break;
      }
    }
    if (!route || !params) return false;
    const handler = (await handlersOf(route))?.[req.method ?? 'GET'];
    if (!handler) return false;

    // Up to here nothing is read or written, so a failure still leaves the call to Next.
    let request: Request;
    try {
      request = toRequest(req, url);
    } catch {
      return false;
    }

    let response: Response;
    try {
      response = await handler(request, { params: Promise.resolve(params) });
    } catch (err) {
      // The REST and MLflow handlers turn every error into their JSON answer; this is a handler
      // that threw anyway, which Next answers with an empty 500.
      log(`[direct-api] ${req.method} ${route.pattern}: ${(err as Error)?.stack ?? String(err)}`);
      response = new Response(null, { status: 500 });
    }
    opts.compress?.(req, res);
    await send(res, response, opts.headers);
    return true;
  }

  return { patterns: routes.map((r) => r.pattern), handle };
}

/** The node request as a fetch Request; the body stays a stream, so the route's size cap (readBodyLimited) still cuts it off. */
function toRequest(req: IncomingMessage, url: string): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const host = req.headers.host ?? 'localhost';
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(`http://${host}${url}`, {
    method,
    headers,
    ...(hasBody ? { body: bodyStream(req), duplex: 'half' } : {}),
  } as RequestInit);
}

/**
 * The request body as a web stream, read as the route pulls. Not Readable.toWeb: cancelling that
 * (readBodyLimited does, past the cap) destroys the socket, and the client sees a reset instead
 * of the 413. Here a cancel stops reading and lets Node discard the rest, as it does for any
 * body a handler leaves unread.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once('end', () => {
        if (!done) controller.close();
        done = true;
      });
      req.once('error', (err) => {
        if (!done) controller.error(err);
        done = true;
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      done = true;
      req.resume();
    },
  });
}

/**
 * Writes the route's Response: the security headers first (the route's own headers win, as under
 * Next), then the body. A body that arrives in one piece — every JSON answer — is sent with a
 * Content-Length; a longer one is streamed with backpressure and stops if the client goes away.
 */
async function send(res: ServerResponse, response: Response, security: ReadonlyArray<{ key: string; value: string }>): Promise<void> {
  for (const h of security) res.setHeader(h.key, h.value);
  res.setHeader('X-Deepboard-Path', 'direct');
  const cookies = response.headers.getSetCookie();
  for (const [k, v] of response.headers) if (k !== 'set-cookie') res.setHeader(k, v);
  if (cookies.length) res.setHeader('set-cookie', cookies);
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    const first = await reader.read();
    if (first.done) {
      res.end();
      return;
    }
    let next = await reader.read();
    if (next.done) {
      if (!res.hasHeader('content-length')) res.setHeader('Content-Length', first.value.byteLength);
      res.end(first.value);
      return;
    }
    res.write(first.value);
    while (!next.done) {
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
      if (!res.write(next.value)) await new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
      next = await reader.read();
    }
    res.end();
  } catch (err) {
    // The body failed half-way: the status line is gone, so the only honest answer is a cut connection.
    await reader.cancel().catch(ignoreError('the body already failed; the connection is cut just below'));
    res.destroy(err as Error);
  }
}
