import * as mlflow from '@/app/api/2.0/mlflow/[...endpoint]/route';
import * as artifactsItem from '@/app/api/v1/runs/[runId]/artifacts/[...path]/route';
import * as artifactsList from '@/app/api/v1/runs/[runId]/artifacts/route';
import * as logBatch from '@/app/api/v1/runs/[runId]/log-batch/route';
import * as history from '@/app/api/v1/runs/[runId]/metric-history/route';
import * as predictions from '@/app/api/v1/runs/[runId]/predictions/route';
import * as runItem from '@/app/api/v1/runs/[runId]/route';
import * as runs from '@/app/api/v1/runs/route';
import * as search from '@/app/api/v1/runs/search/route';

type Handler = (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>;
type Module = Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH', Handler>>;

/** Next's routing for the REST and MLflow handlers, as a `fetch`: the SDK runs against the real handlers without a server. */
const ROUTES: Array<[RegExp, Module, (m: RegExpMatchArray) => Record<string, unknown>]> = [
  [/^\/api\/v1\/runs$/, runs as unknown as Module, () => ({})],
  [/^\/api\/v1\/runs\/search$/, search as unknown as Module, () => ({})],
  [/^\/api\/v1\/runs\/([^/]+)$/, runItem as unknown as Module, (m) => ({ runId: m[1] })],
  [/^\/api\/v1\/runs\/([^/]+)\/log-batch$/, logBatch as unknown as Module, (m) => ({ runId: m[1] })],
  [/^\/api\/v1\/runs\/([^/]+)\/predictions$/, predictions as unknown as Module, (m) => ({ runId: m[1] })],
  [/^\/api\/v1\/runs\/([^/]+)\/metric-history$/, history as unknown as Module, (m) => ({ runId: m[1] })],
  [/^\/api\/v1\/runs\/([^/]+)\/artifacts$/, artifactsList as unknown as Module, (m) => ({ runId: m[1] })],
  [/^\/api\/v1\/runs\/([^/]+)\/artifacts\/(.+)$/, artifactsItem as unknown as Module, (m) => ({ runId: m[1], path: m[2]!.split('/') })],
  [/^\/api\/2\.0\/mlflow\/(.+)$/, mlflow as unknown as Module, (m) => ({ endpoint: m[1]!.split('/') })],
];

export const routeFetch: typeof fetch = async (input, init) => {
  const req = new Request(input as RequestInfo, init);
  const url = new URL(req.url);
  for (const [re, mod, params] of ROUTES) {
    const m = url.pathname.match(re);
    if (!m) continue;
    const handler = mod[req.method as keyof Module];
    if (!handler) return Response.json({ error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} not allowed` } }, { status: 405 });
    return handler(req, { params: Promise.resolve(params(m)) });
  }
  return Response.json({ error: { code: 'NOT_FOUND', message: `no route ${url.pathname}` } }, { status: 404 });
};
