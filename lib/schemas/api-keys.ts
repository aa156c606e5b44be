import { z } from 'zod';

/** API keys: `dbk_` + 40 base62 characters (≈ 238 bits), sent as `Authorization: Bearer KEY`. */
export const API_KEY_PREFIX = 'dbk_';
export const API_KEY_PATTERN = /^dbk_[A-Za-z0-9]{40}$/;

export const ZApiKeyName = z.string().trim().min(1, 'Give the key a name').max(80, 'At most 80 characters');

export const ZCreateApiKeyInput = z.object({
  name: ZApiKeyName,
  /** Days until the key stops working; none = never. */
  expiresInDays: z.int().min(1, 'At least 1 day').max(3650, 'At most 3650 days').optional(),
});
export type CreateApiKeyInput = z.input<typeof ZCreateApiKeyInput>;

export const ZRevokeApiKeyInput = z.object({ keyId: z.string().min(1).max(64) });
