import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '@/server/api/root';
import { createContext } from '@/server/api/context';
import { readBodyLimited } from '@/server/api/body-limit';
import { errorResponse } from '@/server/api/rest';

export const dynamic = 'force-dynamic';

const handler = async (original: Request) => {
  let req = original;
  if (original.method !== 'GET' && original.method !== 'HEAD') {
    // Bodies are capped (413 past MAX_BODY_BYTES) before tRPC reads them.
    try {
      const body = await readBodyLimited(original);
      req = new Request(original.url, { method: original.method, headers: original.headers, body, signal: original.signal });
    } catch (err) {
      return errorResponse(err);
    }
  }
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createContext({ headers: req.headers }),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`[trpc] ${path ?? '?'}:`, error.cause ?? error);
    },
  });
};

export { handler as GET, handler as POST };
