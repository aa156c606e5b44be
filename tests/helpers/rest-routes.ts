import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Every REST route handler of the app, found by globbing app/api/**\/route.ts, so routes added
 * later are probed without editing a list. Each comes with its URL pattern and dynamic params.
 */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
export const MUTATIONS: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

export type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response> | Response;

export interface RouteFile {
  /** e.g. app/api/runs/[runId]/report/route.ts */
  file: string;
  /** e.g. /api/runs/[runId]/report */
  pattern: string;
  /** Names of the dynamic segments, e.g. ['runId']; catch-alls as ['...nextauth']. */
  params: string[];
}

const root = path.resolve(import.meta.dirname, '..', '..');

export function findRouteFiles(): RouteFile[] {
  const dir = path.join(root, 'app', 'api');
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /(^|\/)route\.(ts|tsx|js)$/.test(f))
    .map((f) => {
      const rel = path.posix.join('app/api', f.split(path.sep).join('/'));
      const pattern = `/${path.posix.dirname(rel).replace(/^app\//, '')}`.replace(/\/\([^)]+\)/g, '');
      const params = [...pattern.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!.replace(/^\[|\]$/g, ''));
      return { file: rel, pattern, params };
    })
    .sort((a, b) => a.pattern.localeCompare(b.pattern));
}

export async function loadHandlers(route: RouteFile): Promise<Partial<Record<HttpMethod, RouteHandler>>> {
  const mod = (await import(/* @vite-ignore */ pathToFileURL(path.join(root, route.file)).href)) as Record<string, unknown>;
  const out: Partial<Record<HttpMethod, RouteHandler>> = {};
  for (const m of HTTP_METHODS) if (typeof mod[m] === 'function') out[m] = mod[m] as RouteHandler;
  return out;
}

/** Fills the dynamic segments from `values` (by param name; unknown names get `fallback`). */
export function fillRoute(route: RouteFile, values: Record<string, string>, fallback: string): { url: string; params: Record<string, string | string[]> } {
  const params: Record<string, string | string[]> = {};
  const url = route.pattern.replace(/\[([^\]]+)\]/g, (_m, raw: string) => {
    const catchAll = raw.startsWith('...') || raw.startsWith('[...');
    const name = raw.replace(/^\[?\.\.\./, '').replace(/\]$/, '');
    const value = values[name] ?? fallback;
    params[name] = catchAll ? value.split('/') : value;
    return value;
  });
  return { url, params };
}

/**
 * Values to probe for catch-all segments: every MLflow endpoint the route implements (its own
 * list, so new endpoints are covered) and an artifact path; null for other params (they take
 * ids by name).
 */
export async function catchAllValues(name: string): Promise<string[] | null> {
  if (name === 'endpoint') return (await import('@/server/api/mlflow')).MLFLOW_ENDPOINTS;
  if (name === 'path') return ['model.json', 'a/b.txt'];
  return null;
}

/** The concrete param values to call a route with: `base` plus one entry per catch-all value. */
export async function routeVariants(route: RouteFile, base: Record<string, string>): Promise<Record<string, string>[]> {
  let variants: Record<string, string>[] = [base];
  for (const name of route.params.map((p) => p.replace(/^\[?\.\.\./, '').replace(/\]$/, ''))) {
    const values = await catchAllValues(name);
    if (values) variants = variants.flatMap((v) => values.map((value) => ({ ...v, [name]: value })));
  }
  return variants;
}
