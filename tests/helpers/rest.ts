/** Calls Next route handlers directly with real Request objects (no server needed). */
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;

export async function call(
  handler: Handler,
  opts: { method?: string; url?: string; key?: string | null; body?: unknown; rawBody?: BodyInit; params?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; response: Response }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: BodyInit | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const req = new Request(opts.url ?? 'http://localhost/api/test', { method: opts.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
  const response = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await response.clone().text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed, response };
}
