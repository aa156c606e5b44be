import { z } from 'zod';
import { ZRunConfig } from './runs';

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'PRUNED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const ZTag = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[\w.\-: ]+$/, 'tags use letters, digits, spaces and _ . - :');

export const ZCreateRunInput = z.object({
  projectId: z.string().min(1),
  name: z.string().trim().max(120).optional(),
  architectureId: z.string().min(1),
  /** Defaults to the architecture's latest version. */
  architectureVersion: z.int().min(1).optional(),
  /** Not needed for reinforcement learning (the environment is built in). */
  datasetId: z.string().min(1).optional(),
  datasetVersion: z.int().min(1).optional(),
  config: ZRunConfig,
  tags: z.array(ZTag).max(20).default([]),
  notes: z.string().max(20_000).default(''),
  priority: z.int().min(-100).max(100).default(0),
});
export type CreateRunInput = z.input<typeof ZCreateRunInput>;

export const ZRunRef = z.object({ runId: z.string().min(1) });

export const ZCloneRunInput = z.object({
  runId: z.string().min(1),
  name: z.string().trim().max(120).optional(),
  /** Fields of the configuration to change; the rest is copied. */
  config: z.record(z.string(), z.unknown()).default({}),
});
