'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OPTIMIZER_NAMES } from '@/lib/schemas/runs';
import { BACKEND_LABELS, BACKEND_NAMES, type BackendSetting } from '@/lib/schemas/backends';
import { Alert, Button, Card, CardHeader, Field, Input, Select } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';
import { PinFields } from '../../../../../../_components/runs/pin-fields';
import { useRunPins } from '../../../../../../_components/runs/use-run-pins';

export function NewRunForm(props: { teamId: string; projectId: string; basePath: string; initialArchitectureId?: string; initialDatasetId?: string }) {
  const { teamId, projectId, basePath } = props;
  const trpc = useTRPC();
  const router = useRouter();
  const pins = useRunPins(teamId, projectId, { architectureId: props.initialArchitectureId, datasetId: props.initialDatasetId });
  const { archs, architectureId, datasetId, paradigm } = pins;
  const [name, setName] = useState('');
  const [epochs, setEpochs] = useState('10');
  const [batchSize, setBatchSize] = useState('32');
  const [optimizer, setOptimizer] = useState<(typeof OPTIMIZER_NAMES)[number]>('adam');
  const [learningRate, setLearningRate] = useState('');
  const [schedule, setSchedule] = useState<'constant' | 'cosine' | 'exponential'>('constant');
  const [seed, setSeed] = useState('42');
  const [earlyStop, setEarlyStop] = useState(false);
  const [balanced, setBalanced] = useState(false);
  const [reweigh, setReweigh] = useState(false);
  const [episodes, setEpisodes] = useState('500');
  const [tags, setTags] = useState('');
  const [priority, setPriority] = useState('0');
  const [backend, setBackend] = useState<BackendSetting>('auto');
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.runs.create.mutationOptions());

  async function submit() {
    setError(null);
    const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
    try {
      const lr = num(learningRate);
      const config = {
        paradigm,
        epochs: num(epochs),
        batchSize: num(batchSize),
        optimizer: { name: optimizer },
        ...(lr !== undefined ? { learningRate: lr } : {}),
        ...(schedule === 'cosine'
          ? { lrSchedule: { type: 'cosine' as const, minLearningRate: (lr ?? 1e-3) / 100 } }
          : schedule === 'exponential'
            ? { lrSchedule: { type: 'exponential' as const, rate: 0.95 } }
            : {}),
        seed: num(seed),
        ...(earlyStop ? { earlyStopping: { monitor: 'val_loss', patience: 3 } } : {}),
        ...(balanced && paradigm === 'supervised' ? { classWeights: 'balanced' as const } : {}),
        ...(reweigh && paradigm === 'supervised' ? { sampleWeights: true } : {}),
        ...(paradigm === 'reinforcement' ? { rl: { episodes: num(episodes) } } : {}),
        ...(backend !== 'auto' ? { backend } : {}),
      };
      const run = await create.mutateAsync({
        teamId,
        projectId,
        name: name || undefined,
        architectureId,
        datasetId: paradigm === 'reinforcement' ? undefined : datasetId || undefined,
        config: config as never,
        tags: tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
        priority: Number(priority) || 0,
      });
      router.push(`${basePath}/runs/${run.id}`);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  if (archs.data && archs.data.length === 0) return <Alert tone="info">Create an architecture in this project first.</Alert>;
  return (
    <div className="space-y-5">
      {error ? <Alert data-testid="run-form-error">{error}</Alert> : null}
      <Card>
        <CardHeader title="What to train" description={`Paradigm: ${paradigm}${paradigm === 'reinforcement' ? ' (built-in CartPole environment)' : ''}`} />
        <div className="grid gap-4 p-5 sm:grid-cols-2">
          <PinFields pins={pins} idPrefix="run" />
          <Field label="Run name (optional)" htmlFor="run-name">
            <Input id="run-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="derived from the architecture and dataset" />
          </Field>
          <Field label="Tags (comma separated)" htmlFor="run-tags">
            <Input id="run-tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="baseline, lr-sweep" />
          </Field>
        </div>
      </Card>
      <Card>
        <CardHeader title="Training settings" />
        <div className="grid gap-4 p-5 sm:grid-cols-4">
          {paradigm === 'reinforcement' ? (
            <Field label="Episodes" htmlFor="run-episodes">
              <Input id="run-episodes" value={episodes} onChange={(e) => setEpisodes(e.target.value)} />
            </Field>
          ) : (
            <>
              <Field label="Epochs" htmlFor="run-epochs">
                <Input id="run-epochs" value={epochs} onChange={(e) => setEpochs(e.target.value)} />
              </Field>
              <Field label="Batch size" htmlFor="run-batch">
                <Input id="run-batch" value={batchSize} onChange={(e) => setBatchSize(e.target.value)} />
              </Field>
            </>
          )}
          <Field label="Optimizer" htmlFor="run-optimizer">
            <Select id="run-optimizer" className="w-full" value={optimizer} onChange={(e) => setOptimizer(e.target.value as typeof optimizer)}>
              {OPTIMIZER_NAMES.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Learning rate" htmlFor="run-lr" hint="Empty: the paradigm's default">
            <Input id="run-lr" value={learningRate} onChange={(e) => setLearningRate(e.target.value)} placeholder="default" />
          </Field>
          <Field label="Schedule" htmlFor="run-schedule">
            <Select id="run-schedule" className="w-full" value={schedule} onChange={(e) => setSchedule(e.target.value as typeof schedule)}>
              <option value="constant">constant</option>
              <option value="cosine">cosine decay</option>
              <option value="exponential">exponential decay (0.95 / epoch)</option>
            </Select>
          </Field>
          <Field label="Seed" htmlFor="run-seed">
            <Input id="run-seed" value={seed} onChange={(e) => setSeed(e.target.value)} />
          </Field>
          <Field label="Priority" htmlFor="run-priority" hint="Higher runs first">
            <Input id="run-priority" value={priority} onChange={(e) => setPriority(e.target.value)} />
          </Field>
          <Field label="Backend" htmlFor="run-backend" hint="Auto: the worker times a few batches on each backend and takes the fastest">
            <Select id="run-backend" className="w-full" value={backend} onChange={(e) => setBackend(e.target.value as BackendSetting)}>
              <option value="auto">auto (fastest measured)</option>
              {BACKEND_NAMES.map((b) => (
                <option key={b} value={b}>
                  {b} — {BACKEND_LABELS[b]}
                </option>
              ))}
            </Select>
          </Field>
          <div className="space-y-2 pt-6 text-sm">
            {paradigm === 'supervised' || paradigm === 'autoencoder' ? (
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={earlyStop} onChange={(e) => setEarlyStop(e.target.checked)} /> Early stopping (val_loss, patience 3)
              </label>
            ) : null}
            {paradigm === 'supervised' ? (
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={balanced} onChange={(e) => setBalanced(e.target.checked)} /> Balanced class weights
              </label>
            ) : null}
            {paradigm === 'supervised' ? (
              <label className="flex items-center gap-2" title="Weights each example by P(group)·P(label) / P(group, label) so the label is independent of the sensitive attributes">
                <input type="checkbox" checked={reweigh} onChange={(e) => setReweigh(e.target.checked)} /> Reweighing (fairness mitigation)
              </label>
            ) : null}
          </div>
        </div>
      </Card>
      <Button onClick={submit} disabled={create.isPending || !architectureId}>
        {create.isPending ? 'Queuing…' : 'Queue run'}
      </Button>
    </div>
  );
}
