import { z } from 'zod';

/**
 * Image size and colour chosen when an image zip is uploaded (the same fields as the server's
 * ZImageZipOptions, kept here so browser code can validate them without importing sharp).
 */
export const ZImageZipOptionsShape = z.object({
  width: z.int().min(4).max(1024).default(64),
  height: z.int().min(4).max(1024).default(64),
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  fit: z.enum(['cover', 'contain']).default('cover'),
});
