import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ZUploadKind } from '@/lib/schemas/datasets';
import { errorResponse, requireTeamRole } from '@/server/api/rest';
import { DomainError } from '@/server/services/errors';
import { MAX_UPLOAD_BYTES, stageUpload } from '@/server/services/datasets';

export const dynamic = 'force-dynamic';

/**
 * Receives a dataset file as the raw request body (streamed to disk, so large CSVs never sit in
 * memory; the browser shows progress from XHR upload events). Query: teamId, kind (csv |
 * image-zip), filename, and for images width, height, channels, fit.
 */
export async function POST(req: Request) {
  try {
    const url = new URL(req.url);
    const { user, role } = await requireTeamRole(url.searchParams.get('teamId'), 'MEMBER');
    const kind = ZUploadKind.safeParse(url.searchParams.get('kind'));
    if (!kind.success) throw new DomainError('BAD_REQUEST', "kind must be 'csv' or 'image-zip'");
    const declared = Number(req.headers.get('content-length') ?? 0);
    if (declared > MAX_UPLOAD_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than the ${Math.round(MAX_UPLOAD_BYTES / 1024 / 1024)} MB upload limit`);
    if (!req.body) throw new DomainError('BAD_REQUEST', 'The file is empty');
    const num = (k: string) => (url.searchParams.get(k) === null ? undefined : Number(url.searchParams.get(k)));
    const result = await stageUpload({
      teamId: url.searchParams.get('teamId')!,
      userId: user.id,
      role,
      kind: kind.data,
      filename: url.searchParams.get('filename') ?? (kind.data === 'csv' ? 'data.csv' : 'images.zip'),
      body: Readable.fromWeb(req.body as unknown as NodeReadableStream<Uint8Array>),
      imageOptions: kind.data === 'image-zip' ? { width: num('width'), height: num('height'), channels: num('channels'), fit: url.searchParams.get('fit') ?? undefined } : undefined,
    });
    return Response.json(result);
  } catch (err) {
    return errorResponse(err);
  }
}
