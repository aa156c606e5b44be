/**
 * A checkpoint's files in the artifact store, as far as code without TensorFlow.js needs them
 * (the web app's download, the worker's loader): the layout, checkpoint.json's schema and its
 * reader. Saving and loading the models themselves is the worker's (worker/checkpoint/).
 *
 *   <prefix>/checkpoint.json
 *   <prefix>/<part>/model.json, <prefix>/<part>/weights.bin
 */
import { z } from 'zod';
import { PART_NAMES } from '@/lib/arch/spec';
import type { ArtifactStore } from '@/lib/artifacts/store';

export const CHECKPOINT_JSON = 'checkpoint.json';
/** The TensorFlow.js layers format: topology + weights manifest, beside one weights file. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

const ZMonitorState = z.object({ best: z.number().nullable(), bestEpoch: z.number().nullable(), wait: z.number() });

export const ZCheckpointMeta = z.object({
  version: z.literal(1),
  kind: z.enum(['epoch', 'best', 'final']),
  epoch: z.int().min(0),
  state: z.object({
    epoch: z.int().min(0),
    step: z.int().min(0),
    monitors: z.record(z.string(), ZMonitorState),
    recentReturns: z.array(z.number()).optional(),
  }),
  parts: z.array(z.enum(PART_NAMES)).min(1),
  /** Parts saved with their optimizer state. */
  optimizerState: z.array(z.enum(PART_NAMES)),
  /** The monitored value of a 'best' checkpoint. */
  value: z.number().optional(),
  savedAt: z.string(),
});
export type CheckpointMeta = z.infer<typeof ZCheckpointMeta>;

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** A key under a checkpoint's prefix. */
export function checkpointKey(prefix: string, ...parts: string[]): string {
  return [prefix.replace(/\/+$/, ''), ...parts].join('/');
}

export async function readCheckpointMeta(store: ArtifactStore, prefix: string): Promise<CheckpointMeta> {
  const key = checkpointKey(prefix, CHECKPOINT_JSON);
  if (!(await store.exists(key))) throw new CheckpointError(`no checkpoint at ${prefix} (${CHECKPOINT_JSON} is missing)`);
  const parsed = ZCheckpointMeta.safeParse(JSON.parse((await store.get(key)).toString('utf8')));
  if (!parsed.success) throw new CheckpointError(`${key} is not a checkpoint description: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
