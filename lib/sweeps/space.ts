/**
 * Search spaces, pure and deterministic: validation with messages naming the parameter, grid
 * enumeration, seeded random sampling, and applying a trial's values to the base run config.
 *
 * Trial i of a sweep always gets the same values — random sampling draws from a generator
 * seeded by (sweep seed, i) — so whichever worker schedules it, and in whichever order, the
 * sweep is reproducible.
 */
import { createRng, deriveSeed } from '../random';
import { ZRunConfig, type RunConfig } from '../schemas/runs';
import type { ChoiceValue, SweepMethod, SweepParameter, SweepSpace } from '../schemas/sweeps';
import { formatZodError } from '../schemas/format';

export type TrialParams = Record<string, ChoiceValue>;

export interface SweepProblem {
  path: (string | number)[];
  message: string;
}

/** Grids larger than this are refused (they could never be run). */
export const MAX_GRID_POINTS = 100_000;

/** Keys whose value selects the shape of their object (discriminated unions of the run config). */
const DISCRIMINATORS = new Set(['name', 'type']);

const round = (v: number) => Number(v.toPrecision(6));

/** The values a grid takes for one parameter, or null where it has no finite set. */
export function gridValues(param: SweepParameter): ChoiceValue[] | null {
  switch (param.type) {
    case 'choice':
      return param.values;
    case 'int-uniform': {
      const out: number[] = [];
      for (let v = param.low; v <= param.high && out.length <= MAX_GRID_POINTS; v += param.step) out.push(v);
      return out;
    }
    case 'uniform':
    case 'log-uniform': {
      const n = param.gridPoints;
      if (!n) return null;
      const log = param.type === 'log-uniform';
      const [a, b] = log ? [Math.log(param.low), Math.log(param.high)] : [param.low, param.high];
      return Array.from({ length: n }, (_, i) => {
        const t = a + ((b - a) * i) / (n - 1);
        return round(log ? Math.exp(t) : t);
      });
    }
  }
}

/** Parameter names in a fixed order: discriminators (optimizer.name) first, then by name. */
export function parameterOrder(space: SweepSpace): string[] {
  const last = (p: string) => p.split('.').at(-1)!;
  return Object.keys(space).sort((a, b) => Number(!DISCRIMINATORS.has(last(a))) - Number(!DISCRIMINATORS.has(last(b))) || (a < b ? -1 : a > b ? 1 : 0));
}

export function gridSize(space: SweepSpace): number {
  let size = 1;
  for (const p of Object.values(space)) size *= gridValues(p)?.length ?? Infinity;
  return size;
}

/** Every point of the grid, the last parameter varying fastest (itertools.product's order). */
export function enumerateGrid(space: SweepSpace): TrialParams[] {
  const names = parameterOrder(space);
  const values = names.map((n) => gridValues(space[n]!)!);
  let points: TrialParams[] = [{}];
  names.forEach((name, i) => {
    points = points.flatMap((p) => values[i]!.map((v) => ({ ...p, [name]: v })));
  });
  return points;
}

/** How many runs a sweep makes: its budget, and for a grid at most the grid's size. */
export function effectiveBudget(method: SweepMethod, space: SweepSpace, maxRuns: number): number {
  return method === 'grid' ? Math.min(maxRuns, gridSize(space)) : maxRuns;
}

function sample(param: SweepParameter, u: () => number): ChoiceValue {
  switch (param.type) {
    case 'choice':
      return param.values[Math.min(param.values.length - 1, Math.floor(u() * param.values.length))]!;
    case 'uniform':
      return round(param.low + (param.high - param.low) * u());
    case 'log-uniform':
      return round(Math.exp(Math.log(param.low) + (Math.log(param.high) - Math.log(param.low)) * u()));
    case 'int-uniform': {
      const count = Math.floor((param.high - param.low) / param.step) + 1;
      return param.low + param.step * Math.min(count - 1, Math.floor(u() * count));
    }
  }
}

/**
 * The values of trial `index` (0-based). Grid: the index-th point (in a seeded order when the
 * budget covers only part of the grid, so a cut-short grid still spreads out). Random: each
 * parameter drawn from a generator seeded by (seed, index).
 */
export function trialParams(sweep: { method: SweepMethod; seed: number; space: SweepSpace; maxRuns: number }, index: number): TrialParams {
  if (sweep.method === 'grid') {
    const points = enumerateGrid(sweep.space);
    if (sweep.maxRuns < points.length) createRng(deriveSeed(sweep.seed, 0x67726964)).shuffle(points);
    const point = points[index];
    if (!point) throw new RangeError(`trial ${index + 1} is outside the grid of ${points.length} points`);
    return point;
  }
  const rng = createRng(deriveSeed(sweep.seed, index));
  const out: TrialParams = {};
  for (const name of parameterOrder(sweep.space)) out[name] = sample(sweep.space[name]!, () => rng.next());
  return out;
}

/**
 * The base config with the trial's values put in at their paths. Setting a discriminator
 * (`optimizer.name`, `lrSchedule.type`) replaces its object, so the new optimizer starts from its
 * own defaults rather than the old one's fields.
 */
export function applyParams(base: unknown, params: TrialParams): Record<string, unknown> {
  const out = structuredClone(base) as Record<string, unknown>;
  const names = Object.keys(params).sort((a, b) => Number(!DISCRIMINATORS.has(a.split('.').at(-1)!)) - Number(!DISCRIMINATORS.has(b.split('.').at(-1)!)));
  for (const path of names) {
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      node = node[key] = next && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : {};
    }
    const leaf = keys.at(-1)!;
    if (DISCRIMINATORS.has(leaf) && keys.length > 1 && node[leaf] !== params[path]) {
      for (const k of Object.keys(node)) delete node[k];
    }
    node[leaf] = params[path];
  }
  return out;
}

/** The run config of a trial, validated; throws naming the parameter values that do not fit. */
export function trialConfig(base: unknown, params: TrialParams): RunConfig {
  const parsed = ZRunConfig.safeParse(applyParams(base, params));
  if (!parsed.success) throw new Error(`${describeParams(params)} does not give a valid run configuration: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

export function describeParams(params: TrialParams): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

function extremes(param: SweepParameter): ChoiceValue[] {
  switch (param.type) {
    case 'choice':
      return param.values;
    case 'uniform':
    case 'log-uniform':
      // A value between the bounds too: a float range over an integer field fails there.
      return [...new Set([param.low, param.high, round(param.low + (param.high - param.low) * 0.377), ...(gridValues(param) ?? [])])];
    case 'int-uniform': {
      const top = param.low + param.step * Math.floor((param.high - param.low) / param.step);
      return [...new Set([param.low, top])];
    }
  }
}

/**
 * Everything wrong with a sweep that needs no database: bounds, grids that are not finite,
 * paths the run config does not have or values it refuses, an objective that early stopping
 * cannot follow. Each problem's path names the parameter (['space', 'learningRate']).
 */
export function sweepProblems(input: { method: SweepMethod; space: SweepSpace; config: unknown; objective: { metric: string }; earlyStopping: unknown }): SweepProblem[] {
  const problems: SweepProblem[] = [];
  const names = Object.keys(input.space);
  for (const name of names) {
    const param = input.space[name]!;
    // The path names the parameter: formatted, a problem reads `space.learningRate: …`.
    const at = (message: string) => problems.push({ path: ['space', name], message });
    if (name === 'paradigm') {
      at('the paradigm cannot be swept (a sweep trains one kind of run)');
      continue;
    }
    const parent = names.find((other) => other !== name && name.startsWith(`${other}.`));
    if (parent) {
      at(`lies inside ${parent}, which is swept as a whole`);
      continue;
    }
    let boundsOk = true;
    if (param.type === 'uniform' || param.type === 'log-uniform' || param.type === 'int-uniform') {
      if (param.low > param.high) {
        at(`low (${param.low}) must not be above high (${param.high})`);
        boundsOk = false;
      }
    }
    if (param.type === 'log-uniform' && param.low <= 0) {
      at(`log-uniform needs low > 0 (got ${param.low}); use uniform for ranges that include 0`);
      boundsOk = false;
    }
    if (param.type === 'int-uniform' && boundsOk && (param.high - param.low) / param.step >= MAX_GRID_POINTS) {
      at(`${param.low}…${param.high} in steps of ${param.step} has too many values`);
      boundsOk = false;
    }
    if (param.type === 'choice' && new Set(param.values.map((v) => JSON.stringify(v))).size !== param.values.length) {
      at('a value is listed twice');
    }
    if (input.method === 'grid' && (param.type === 'uniform' || param.type === 'log-uniform') && !param.gridPoints) {
      at(`a grid needs a finite set of values: give gridPoints, or use choice or int-uniform`);
    }
    if (!boundsOk) continue;
    // Each parameter's extreme values must give a valid run config on their own.
    for (const value of extremes(param)) {
      const parsed = ZRunConfig.safeParse(applyParams(input.config, { [name]: value }));
      if (!parsed.success) {
        const why = formatZodError(parsed.error, 1);
        const hint = (param.type === 'uniform' || param.type === 'log-uniform') && /expected int/.test(why) ? '; use int-uniform for whole numbers' : '';
        at(`the value ${JSON.stringify(value)} does not fit the run configuration (${why})${hint}`);
        break;
      }
    }
  }
  if (input.method === 'grid' && problems.length === 0 && gridSize(input.space) > MAX_GRID_POINTS) {
    problems.push({ path: ['space'], message: `the grid has ${gridSize(input.space).toLocaleString('en')} points, more than ${MAX_GRID_POINTS.toLocaleString('en')}; use random search` });
  }
  if (input.earlyStopping && input.objective.metric.startsWith('test_')) {
    problems.push({
      path: ['earlyStopping'],
      message: `median early stopping compares runs epoch by epoch, but ${input.objective.metric} is only known after training; use a per-epoch value such as val_loss`,
    });
  }
  return problems;
}
