import { env } from '@/lib/env';
import { DomainError } from '../services/errors';
import { ignoreError } from '@/lib/log';

/**
 * Request body caps. Next.js route handlers accept bodies of any size, so every handler that
 * reads a body reads it through here: a declared Content-Length over the cap is refused before
 * reading, and a streamed (chunked) body is cut off as soon as it passes the cap. File uploads
 * have their own, larger cap (server/services/datasets.ts, MAX_UPLOAD_BYTES).
 */
export const MAX_BODY_BYTES = env().DEEPBOARD_MAX_BODY_MB * 1024 * 1024;

export function tooLarge(max: number): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `The request body is larger than the ${+(max / 1024 / 1024).toFixed(2)} MB limit`);
}

/** The body's bytes, or a PAYLOAD_TOO_LARGE DomainError once it passes `max`. */
export async function readBodyLimited(req: Request, max = MAX_BODY_BYTES): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(ignoreError('the client may have closed the stream already; the 413 is the answer either way'));
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** A JSON body within the cap, or a DomainError: 413 when too large, 400 when not JSON. */
export async function readJsonBody(req: Request, max = MAX_BODY_BYTES): Promise<unknown> {
  const bytes = await readBodyLimited(req, max);
  if (bytes.byteLength === 0) throw new DomainError('BAD_REQUEST', 'The request body is empty; send JSON');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new DomainError('BAD_REQUEST', 'The request body is not valid JSON');
  }
}
