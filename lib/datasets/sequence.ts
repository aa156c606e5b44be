/**
 * Numeric time series → supervised samples by sliding windows.
 *
 * A series is `length` time steps of `features` values, row-major ([t0f0, t0f1, …, t1f0 …]).
 * Window i covers steps s … s + window − 1 with s = i · stride. Its target is either
 * - forecasting: the next `horizon` values of one feature, steps s + window … s + window + horizon − 1
 *   (horizon 1 = next-value regression), or
 * - a label column: the label at step s + window − 1 + horizon (horizon 0 = the label of the
 *   window's last step; 1 = the label one step after it, i.e. predicting an upcoming event).
 * Windows are only emitted when their target exists, so no target is ever padded or invented.
 */
import { z } from 'zod';
import { DatasetError } from './errors';

export const ZWindowSettings = z.object({
  window: z.int().min(1),
  stride: z.int().min(1).default(1),
  horizon: z.int().min(0).default(1),
});
export type WindowSettings = z.infer<typeof ZWindowSettings>;

export interface Series {
  values: ArrayLike<number>;
  /** Values per time step (default 1). */
  features?: number;
}

export interface Windows {
  /** samples × window × features, row-major. */
  x: Float32Array;
  samples: number;
  window: number;
  features: number;
  /** Index of each window's first step. */
  starts: Int32Array;
}

function layout(series: Series): { steps: number; features: number } {
  const features = series.features ?? 1;
  if (!Number.isInteger(features) || features < 1) throw new DatasetError(`features must be a positive integer, got ${features}`);
  if (series.values.length % features !== 0) {
    throw new DatasetError(`a series of ${series.values.length} values does not divide into steps of ${features} features`);
  }
  return { steps: series.values.length / features, features };
}

/** Number of windows that fit: windows whose inputs and target both lie inside the series. */
export function windowCount(steps: number, window: number, stride: number, lookahead: number): number {
  const span = window + lookahead;
  return steps < span ? 0 : Math.floor((steps - span) / stride) + 1;
}

function cut(series: Series, settings: WindowSettings, lookahead: number): Windows {
  const { steps, features } = layout(series);
  const { window, stride } = settings;
  const samples = windowCount(steps, window, stride, lookahead);
  const x = new Float32Array(samples * window * features);
  const starts = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    const s = i * stride;
    starts[i] = s;
    for (let k = 0; k < window * features; k++) x[i * window * features + k] = series.values[s * features + k]!;
  }
  return { x, samples, window, features, starts };
}

/** Next-value (horizon 1) or multi-step forecasting targets: y is samples × horizon. */
export function forecastWindows(series: Series, settings: z.input<typeof ZWindowSettings>, targetFeature = 0): Windows & { y: Float32Array; horizon: number } {
  const parsed = ZWindowSettings.parse(settings);
  if (parsed.horizon < 1) throw new DatasetError('forecasting needs a horizon of at least 1 step');
  const { features } = layout(series);
  if (targetFeature < 0 || targetFeature >= features) throw new DatasetError(`target feature ${targetFeature} is outside the ${features} features`);
  const windows = cut(series, parsed, parsed.horizon);
  const y = new Float32Array(windows.samples * parsed.horizon);
  for (let i = 0; i < windows.samples; i++) {
    const first = windows.starts[i]! + parsed.window;
    for (let h = 0; h < parsed.horizon; h++) y[i * parsed.horizon + h] = series.values[(first + h) * features + targetFeature]!;
  }
  return { ...windows, y, horizon: parsed.horizon };
}

/** Windows labelled from a per-step label sequence (class ids or values): y has one entry per window. */
export function labelledWindows<L>(series: Series, labels: ArrayLike<L>, settings: z.input<typeof ZWindowSettings>): Windows & { y: L[] } {
  const parsed = ZWindowSettings.parse({ horizon: 0, ...settings });
  const { steps } = layout(series);
  if (labels.length !== steps) throw new DatasetError(`got ${labels.length} labels for ${steps} time steps`);
  const windows = cut(series, parsed, parsed.horizon);
  const y = Array.from(windows.starts, (s) => labels[s + parsed.window - 1 + parsed.horizon]!);
  return { ...windows, y };
}
