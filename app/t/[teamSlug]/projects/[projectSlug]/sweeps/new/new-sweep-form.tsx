'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OPTIMIZER_NAMES } from '@/lib/schemas/runs';
import { SWEEP_PARAMETER_TYPES, ZCreateSweepInput, type SweepParameter } from '@/lib/schemas/sweeps';
import { formatZodError } from '@/lib/schemas/format';
import { effectiveBudget, gridSize } from '@/lib/sweeps/space';
import { Alert, Button, Card, CardHeader, Field, Input, Select } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';
import { PinFields } from '../../../../../../_components/runs/pin-fields';
import { useRunPins } from '../../../../../../_components/runs/use-run-pins';

/** Paths of the run configuration people sweep most; any other path can be typed. */
const SUGGESTED_PATHS = ['learningRate', 'batchSize', 'epochs', 'seed', 'optimizer.name', 'optimizer.beta1', 'optimizer.beta2', 'optimizer.momentum', 'earlyStopping.patience', 'lrSchedule.type'];

type ParamType = (typeof SWEEP_PARAMETER_TYPES)[number];
interface ParamRow {
  key: number;
  path: string;
  type: ParamType;
  values: string;
  low: string;
  high: string;
  /** gridPoints for uniform / log-uniform, step for int-uniform. */
  extra: string;
}

let nextKey = 1;
const row = (r: Omit<ParamRow, 'key'>): ParamRow => ({ key: nextKey++, ...r });

function toParameter(r: ParamRow): SweepParameter {
  const num = (s: string) => (s.trim() === '' ? NaN : Number(s));
  switch (r.type) {
    case 'choice':
      return {
        type: 'choice',
        values: r.values
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean)
          .map((v) => (v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v)),
      };
    case 'int-uniform':
      return { type: 'int-uniform', low: num(r.low), high: num(r.high), step: r.extra.trim() ? num(r.extra) : 1 };
    default:
      return { type: r.type, low: num(r.low), high: num(r.high), ...(r.extra.trim() ? { gridPoints: num(r.extra) } : {}) };
  }
}

export function NewSweepForm({ teamId, projectId, basePath }: { teamId: string; projectId: string; basePath: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pins = useRunPins(teamId, projectId);
  const { archs, architectureId, datasetId, paradigm } = pins;
  const [name, setName] = useState('');
  const [epochs, setEpochs] = useState('10');
  const [batchSize, setBatchSize] = useState('32');
  const [optimizer, setOptimizer] = useState<(typeof OPTIMIZER_NAMES)[number]>('adam');
  const [method, setMethod] = useState<'random' | 'grid'>('random');
  const [seed, setSeed] = useState('0');
  const [maxRuns, setMaxRuns] = useState('12');
  const [parallelism, setParallelism] = useState('2');
  const [metric, setMetric] = useState('val_loss');
  const [direction, setDirection] = useState<'min' | 'max'>('min');
  const [summary, setSummary] = useState<'last' | 'best'>('last');
  const [median, setMedian] = useState(false);
  const [warmup, setWarmup] = useState('2');
  const [startup, setStartup] = useState('2');
  const [params, setParams] = useState<ParamRow[]>([
    row({ path: 'learningRate', type: 'log-uniform', values: '', low: '0.0001', high: '0.1', extra: '3' }),
    row({ path: 'batchSize', type: 'choice', values: '32, 64', low: '', high: '', extra: '' }),
  ]);
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.sweeps.create.mutationOptions());

  const update = (key: number, patch: Partial<ParamRow>) => setParams((ps) => ps.map((p) => (p.key === key ? { ...p, ...patch } : p)));

  const input = {
    teamId,
    projectId,
    name,
    architectureId,
    datasetId: paradigm === 'reinforcement' ? undefined : datasetId || undefined,
    config: { paradigm, epochs: Number(epochs), batchSize: Number(batchSize), optimizer: { name: optimizer } },
    method,
    seed: Number(seed),
    maxRuns: Number(maxRuns),
    parallelism: Number(parallelism),
    objective: { metric, direction, summary },
    earlyStopping: median ? { warmupEpochs: Number(warmup), startupRuns: Number(startup) } : null,
    space: Object.fromEntries(params.map((p) => [p.path.trim(), toParameter(p)])),
  };
  const parsed = ZCreateSweepInput.safeParse(input);
  const budget = parsed.success ? effectiveBudget(parsed.data.method, parsed.data.space, parsed.data.maxRuns) : null;
  const points = parsed.success && method === 'grid' ? gridSize(parsed.data.space) : null;

  async function submit() {
    setError(null);
    if (!parsed.success) {
      setError(formatZodError(parsed.error, 5));
      return;
    }
    try {
      const sweep = await create.mutateAsync(input as never);
      router.push(`${basePath}/sweeps/${sweep.id}`);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  if (archs.data && archs.data.length === 0) return <Alert tone="info">Create an architecture in this project first.</Alert>;
  return (
    <div className="space-y-5">
      {error ? <Alert data-testid="sweep-form-error">{error}</Alert> : null}
      <Card>
        <CardHeader title="Base run" description={`Paradigm: ${paradigm}. Every trial trains this, with the search space's values put in.`} />
        <div className="grid gap-4 p-5 sm:grid-cols-3">
          <Field label="Sweep name" htmlFor="sweep-name">
            <Input id="sweep-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="lr × batch size" />
          </Field>
          <PinFields pins={pins} idPrefix="sweep" />
          <Field label="Epochs" htmlFor="sweep-epochs">
            <Input id="sweep-epochs" value={epochs} onChange={(e) => setEpochs(e.target.value)} />
          </Field>
          <Field label="Batch size" htmlFor="sweep-batch">
            <Input id="sweep-batch" value={batchSize} onChange={(e) => setBatchSize(e.target.value)} />
          </Field>
          <Field label="Optimizer" htmlFor="sweep-optimizer">
            <Select id="sweep-optimizer" className="w-full" value={optimizer} onChange={(e) => setOptimizer(e.target.value as typeof optimizer)}>
              {OPTIMIZER_NAMES.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      </Card>

      <Card>
        <CardHeader
          title="Search space"
          description="Paths into the run configuration. Choice takes a comma-separated list; ranges take low and high (grid points for a grid over a float range, a step for integers)."
          actions={
            <Button
              size="sm"
              variant="secondary"
              onClick={() => setParams((ps) => [...ps, row({ path: SUGGESTED_PATHS.find((p) => !ps.some((x) => x.path === p)) ?? '', type: 'choice', values: '', low: '', high: '', extra: '' })])}
            >
              Add parameter
            </Button>
          }
        />
        <datalist id="sweep-paths">
          {SUGGESTED_PATHS.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <div className="space-y-3 p-5" data-testid="sweep-space">
          {params.map((p, i) => (
            <div key={p.key} className="grid items-end gap-3 sm:grid-cols-[1.4fr_1fr_2fr_auto]" data-testid={`sweep-param-${i}`}>
              <Field label="Parameter" htmlFor={`sweep-param-${i}-path`}>
                <Input id={`sweep-param-${i}-path`} list="sweep-paths" value={p.path} onChange={(e) => update(p.key, { path: e.target.value })} />
              </Field>
              <Field label="Distribution" htmlFor={`sweep-param-${i}-type`}>
                <Select id={`sweep-param-${i}-type`} className="w-full" value={p.type} onChange={(e) => update(p.key, { type: e.target.value as ParamType })}>
                  {SWEEP_PARAMETER_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </Select>
              </Field>
              {p.type === 'choice' ? (
                <Field label="Values" htmlFor={`sweep-param-${i}-values`}>
                  <Input id={`sweep-param-${i}-values`} value={p.values} onChange={(e) => update(p.key, { values: e.target.value })} placeholder="0.001, 0.01 or adam, sgd" />
                </Field>
              ) : (
                <div className="grid grid-cols-3 gap-2">
                  <Field label="Low" htmlFor={`sweep-param-${i}-low`}>
                    <Input id={`sweep-param-${i}-low`} value={p.low} onChange={(e) => update(p.key, { low: e.target.value })} />
                  </Field>
                  <Field label="High" htmlFor={`sweep-param-${i}-high`}>
                    <Input id={`sweep-param-${i}-high`} value={p.high} onChange={(e) => update(p.key, { high: e.target.value })} />
                  </Field>
                  <Field label={p.type === 'int-uniform' ? 'Step' : 'Grid points'} htmlFor={`sweep-param-${i}-extra`}>
                    <Input id={`sweep-param-${i}-extra`} value={p.extra} onChange={(e) => update(p.key, { extra: e.target.value })} placeholder={p.type === 'int-uniform' ? '1' : 'grid only'} />
                  </Field>
                </div>
              )}
              <Button variant="ghost" size="sm" aria-label={`Remove ${p.path || 'parameter'}`} onClick={() => setParams((ps) => ps.filter((x) => x.key !== p.key))} disabled={params.length <= 1}>
                Remove
              </Button>
            </div>
          ))}
        </div>
      </Card>

      <Card>
        <CardHeader
          title="Search"
          description={
            budget !== null ? `${budget} run${budget === 1 ? '' : 's'}${points !== null ? ` (the grid has ${points} points)` : ''}, ${parallelism} at a time.` : 'Fix the fields above to see the plan.'
          }
        />
        <div className="grid gap-4 p-5 sm:grid-cols-4">
          <Field label="Method" htmlFor="sweep-method">
            <Select id="sweep-method" className="w-full" value={method} onChange={(e) => setMethod(e.target.value as typeof method)}>
              <option value="random">random search</option>
              <option value="grid">grid search</option>
            </Select>
          </Field>
          <Field label="Seed" htmlFor="sweep-seed" hint="Same seed, same trials">
            <Input id="sweep-seed" value={seed} onChange={(e) => setSeed(e.target.value)} />
          </Field>
          <Field label="Run budget" htmlFor="sweep-max-runs">
            <Input id="sweep-max-runs" value={maxRuns} onChange={(e) => setMaxRuns(e.target.value)} />
          </Field>
          <Field label="Parallel runs" htmlFor="sweep-parallelism">
            <Input id="sweep-parallelism" value={parallelism} onChange={(e) => setParallelism(e.target.value)} />
          </Field>
          <Field label="Objective" htmlFor="sweep-metric" hint="val_loss, val_accuracy, test_accuracy …">
            <Input id="sweep-metric" value={metric} onChange={(e) => setMetric(e.target.value)} />
          </Field>
          <Field label="Direction" htmlFor="sweep-direction">
            <Select id="sweep-direction" className="w-full" value={direction} onChange={(e) => setDirection(e.target.value as typeof direction)}>
              <option value="min">minimise</option>
              <option value="max">maximise</option>
            </Select>
          </Field>
          <Field label="A run's value" htmlFor="sweep-summary">
            <Select id="sweep-summary" className="w-full" value={summary} onChange={(e) => setSummary(e.target.value as typeof summary)}>
              <option value="last">last epoch</option>
              <option value="best">best epoch</option>
            </Select>
          </Field>
          <div />
          <label className="flex items-center gap-2 text-sm sm:col-span-2">
            <input id="sweep-median" type="checkbox" checked={median} onChange={(e) => setMedian(e.target.checked)} /> Median early stopping: stop a run whose objective is worse than the median of
            completed runs at the same epoch
          </label>
          {median ? (
            <>
              <Field label="Warm-up epochs" htmlFor="sweep-warmup">
                <Input id="sweep-warmup" value={warmup} onChange={(e) => setWarmup(e.target.value)} />
              </Field>
              <Field label="Completed runs first" htmlFor="sweep-startup">
                <Input id="sweep-startup" value={startup} onChange={(e) => setStartup(e.target.value)} />
              </Field>
            </>
          ) : null}
        </div>
      </Card>
      <Button onClick={submit} disabled={create.isPending || !architectureId}>
        {create.isPending ? 'Starting…' : 'Start sweep'}
      </Button>
    </div>
  );
}
