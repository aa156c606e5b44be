import { z } from 'zod';
import { ZAugmentSettings } from '../datasets/augment';
import { ZDatasetColumn } from '../datasets/schema';
import { ZSplitSettings } from '../datasets/split';
import { ZLoanSettings, ZPatternSettings, ZShapeSettings } from '../datasets/synthetic';
import { ZTaskOverride } from '../datasets/schema';
import { ZTokenizerSettings } from '../datasets/text';
import { ZImageZipOptionsShape } from '../datasets/image-options';

export const DATASET_KINDS = ['tabular', 'text', 'image', 'sequence'] as const;
export const ZDatasetKind = z.enum(DATASET_KINDS);
export type DatasetKind = z.infer<typeof ZDatasetKind>;

export const UPLOAD_KINDS = ['csv', 'image-zip'] as const;
export const ZUploadKind = z.enum(UPLOAD_KINDS);

export const ZDatasetName = z.string().trim().min(1, 'Give the dataset a name').max(80, 'Name is too long (80 characters at most)');

export const ZSplitInput = ZSplitSettings;

/** Where a new version goes: a new dataset in a project, or the next version of an existing one. */
const target = {
  projectId: z.string().min(1),
  /** Set to add a version to this dataset; else a new dataset named `name` is created. */
  datasetId: z.string().min(1).optional(),
  name: ZDatasetName,
  description: z.string().trim().max(2000).default(''),
  message: z.string().trim().max(500).default(''),
  split: ZSplitInput,
};

export const ZCreateFromUploadInput = z.object({
  ...target,
  uploadId: z.string().min(1),
  /** CSV: every column with its role (and type correction). */
  columns: z.array(ZDatasetColumn).optional(),
  task: ZTaskOverride.optional(),
  /** CSV with a text column: tokenizer settings (text datasets). */
  tokenizer: ZTokenizerSettings.optional(),
  /**
   * CSV time series: every row is one time step; the numeric feature columns are cut into
   * windows of `window` steps and the model forecasts `target` `horizon` steps ahead.
   */
  timeSeries: z
    .object({
      window: z.int().min(1).max(10_000),
      stride: z.int().min(1).max(10_000).default(1),
      horizon: z.int().min(1).max(10_000).default(1),
      target: z.string().min(1),
    })
    .optional(),
  /** Image datasets: augmentation applied by the worker while training. */
  augmentation: ZAugmentSettings.optional(),
});
export type CreateFromUploadInput = z.input<typeof ZCreateFromUploadInput>;

export const ZSyntheticGenerator = z.discriminatedUnion('generator', [
  z.object({ generator: z.literal('loans'), settings: ZLoanSettings }),
  z.object({ generator: z.literal('shapes'), settings: ZShapeSettings, augmentation: ZAugmentSettings.optional() }),
  z.object({ generator: z.literal('sequences'), settings: ZPatternSettings }),
]);

export const ZCreateSyntheticInput = z.object({ ...target, spec: ZSyntheticGenerator });
export type CreateSyntheticInput = z.input<typeof ZCreateSyntheticInput>;

export const ZDatasetRef = z.object({ datasetId: z.string().min(1) });
export const ZDatasetVersionRef = z.object({ datasetId: z.string().min(1), version: z.int().min(1).optional() });

export { ZImageZipOptionsShape };
