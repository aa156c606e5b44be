import { z } from 'zod';
import { ZArchitectureSpec } from '../arch/spec';

export const ZArchitectureName = z.string().trim().min(1, 'Give the architecture a name').max(80, 'Name is too long (80 characters at most)');

export const ZVersionMessage = z.string().trim().max(500, 'Message is too long (500 characters at most)');

export const ZCreateArchitectureInput = z.object({
  projectId: z.string().min(1),
  name: ZArchitectureName,
  description: z.string().trim().max(2000).default(''),
  spec: ZArchitectureSpec,
  message: ZVersionMessage.default('Initial version'),
});
export type CreateArchitectureInput = z.input<typeof ZCreateArchitectureInput>;

export const ZSaveVersionInput = z.object({
  architectureId: z.string().min(1),
  /** The version the edit started from: saving over a newer version is refused, not silently lost. */
  baseVersion: z.number().int().min(1),
  spec: ZArchitectureSpec,
  message: ZVersionMessage.min(1, 'Describe what changed'),
});
export type SaveVersionInput = z.input<typeof ZSaveVersionInput>;

export const ZArchitectureRef = z.object({ architectureId: z.string().min(1) });
export const ZVersionRef = z.object({ architectureId: z.string().min(1), version: z.number().int().min(1).optional() });

export const ZForkInput = z.object({
  architectureId: z.string().min(1),
  version: z.number().int().min(1),
  name: ZArchitectureName,
  projectId: z.string().min(1).optional(),
});

export const ZDiffInput = z.object({
  architectureId: z.string().min(1),
  from: z.number().int().min(1),
  to: z.number().int().min(1),
});

export const ZImportKerasInput = z.object({
  projectId: z.string().min(1),
  name: ZArchitectureName,
  json: z.string().min(2, 'Paste the model JSON').max(5_000_000, 'The JSON is too large (5 MB at most)'),
});
