import { openApiDocument } from '@/server/api/openapi';

export const dynamic = 'force-static';

/** The OpenAPI 3.1 document (public: it describes the API, it holds no data). */
export function GET() {
  return Response.json(openApiDocument());
}
