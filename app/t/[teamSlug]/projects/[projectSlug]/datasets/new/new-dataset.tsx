'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { CsvProfile } from '@/lib/datasets/csv';
import type { ImageUploadProfile as ImageProfile } from '@/server/services/datasets';
import { ColumnsTable, ImageGrid, type ColumnChoice } from '../../../../../../_components/datasets/profile-views';
import { Alert, Button, Card, CardHeader, Field, Input, Select, cn } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';

type Tab = 'csv' | 'images' | 'synthetic';

interface Staged {
  uploadId: string;
  filename: string;
  sizeBytes: number;
  profile: ({ kind: 'csv' } & CsvProfile) | ImageProfile;
}

/** Streams the file to the upload endpoint, reporting progress (fetch has no upload progress). */
function uploadFile(url: string, file: File, onProgress: (f: number) => void): Promise<Staged> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: { error?: { message: string } } & Partial<Staged> = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: fall through to the status text
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as Staged);
      else reject(new Error(body.error?.message ?? `Upload failed (${xhr.status} ${xhr.statusText})`));
    };
    xhr.onerror = () => reject(new Error('The upload was interrupted; check the connection and try again'));
    xhr.send(file);
  });
}

function SplitFields({ split, onChange, stratifyOptions = true }: { split: SplitState; onChange: (s: SplitState) => void; stratifyOptions?: boolean }) {
  const total = split.train + split.validation + split.test;
  return (
    <div className="grid gap-3 sm:grid-cols-5">
      {(['train', 'validation', 'test'] as const).map((k) => (
        <Field key={k} label={`${k[0]!.toUpperCase()}${k.slice(1)} %`} htmlFor={`split-${k}`}>
          <Input id={`split-${k}`} inputMode="numeric" value={String(Math.round(split[k] * 100))} onChange={(e) => onChange({ ...split, [k]: Number(e.target.value) / 100 })} />
        </Field>
      ))}
      <Field label="Seed" htmlFor="split-seed">
        <Input id="split-seed" inputMode="numeric" value={String(split.seed)} onChange={(e) => onChange({ ...split, seed: Number(e.target.value) || 0 })} />
      </Field>
      <Field label="Stratify by" htmlFor="split-stratify">
        <Select id="split-stratify" className="w-full" value={split.stratify} onChange={(e) => onChange({ ...split, stratify: e.target.value as SplitState['stratify'] })}>
          <option value="label">label</option>
          {stratifyOptions ? <option value="label-and-sensitive">label × sensitive</option> : null}
          <option value="none">nothing</option>
        </Select>
      </Field>
      {Math.abs(total - 1) > 1e-6 ? <p className="text-sm text-red-600 sm:col-span-5">The three splits add up to {Math.round(total * 100)}%, not 100%.</p> : null}
    </div>
  );
}

interface SplitState {
  train: number;
  validation: number;
  test: number;
  seed: number;
  stratify: 'none' | 'label' | 'label-and-sensitive';
}

export function NewDataset({ teamId, projectId, basePath }: { teamId: string; projectId: string; basePath: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [tab, setTab] = useState<Tab>('csv');
  const [progress, setProgress] = useState<number | null>(null);
  const [staged, setStaged] = useState<Staged | null>(null);
  const [choices, setChoices] = useState<ColumnChoice[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [taskKind, setTaskKind] = useState<'' | 'binary' | 'multiclass' | 'regression'>('');
  const [positiveClass, setPositiveClass] = useState('');
  const [split, setSplit] = useState<SplitState>({ train: 0.7, validation: 0.15, test: 0.15, seed: 42, stratify: 'label' });
  const [image, setImage] = useState({ width: 32, height: 32, channels: 3 as 1 | 3 });
  const [augment, setAugment] = useState({ horizontalFlip: true, rotationDegrees: 10, shiftFraction: 0.1, noiseStd: 0 });
  const [series, setSeries] = useState({ enabled: false, window: 24, stride: 1, horizon: 1, target: '' });
  const [generator, setGenerator] = useState<'loans' | 'shapes' | 'sequences'>('loans');
  const [loan, setLoan] = useState({ rows: 5000, seed: 1, biasStrength: 0.6, value: 'female' });
  const [shapes, setShapes] = useState({ count: 600, size: 28, seed: 1 });
  const [seqs, setSeqs] = useState({ count: 600, length: 64, seed: 1 });

  const createFromUpload = useMutation(trpc.datasets.createFromUpload.mutationOptions());
  const createSynthetic = useMutation(trpc.datasets.createSynthetic.mutationOptions());
  const busy = createFromUpload.isPending || createSynthetic.isPending;

  async function onFile(file: File | undefined, kind: 'csv' | 'image-zip') {
    if (!file) return;
    setError(null);
    setStaged(null);
    setProgress(0);
    const params = new URLSearchParams({ teamId, kind, filename: file.name });
    if (kind === 'image-zip') Object.entries(image).forEach(([k, v]) => params.set(k, String(v)));
    try {
      const res = await uploadFile(`/api/datasets/upload?${params}`, file, setProgress);
      setStaged(res);
      setName((n) => n || file.name.replace(/\.(csv|zip|tsv|txt)$/i, ''));
      if (res.profile.kind === 'csv') {
        setChoices(res.profile.columns.map((c) => ({ name: c.name, type: c.type, role: c.suggestedRole, useAsFeature: false })));
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setProgress(null);
    }
  }

  async function create() {
    setError(null);
    try {
      let res: { datasetId: string };
      const splitInput = { ...split };
      if (tab === 'synthetic') {
        const spec =
          generator === 'loans'
            ? { generator, settings: { rows: loan.rows, seed: loan.seed, biasStrength: loan.biasStrength, disadvantaged: { column: 'sex' as const, value: loan.value } } }
            : generator === 'shapes'
              ? { generator, settings: { count: shapes.count, size: shapes.size, seed: shapes.seed } }
              : { generator, settings: { count: seqs.count, length: seqs.length, seed: seqs.seed } };
        res = await createSynthetic.mutateAsync({ teamId, projectId, name, split: splitInput, spec: spec as never });
      } else {
        if (!staged) return;
        const csv = staged.profile.kind === 'csv';
        res = await createFromUpload.mutateAsync({
          teamId,
          projectId,
          uploadId: staged.uploadId,
          name,
          split: splitInput,
          ...(csv
            ? {
                columns: choices,
                task: taskKind || positiveClass ? { kind: taskKind || undefined, positiveClass: positiveClass || undefined } : undefined,
                timeSeries: series.enabled ? { window: series.window, stride: series.stride, horizon: series.horizon, target: series.target } : undefined,
              }
            : { augmentation: augment }),
        });
      }
      router.push(`${basePath}/${res.datasetId}`);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  const csvProfile = staged?.profile.kind === 'csv' ? staged.profile : null;
  const imageProfile = staged?.profile.kind === 'image-zip' ? staged.profile : null;
  const label = choices.find((c) => c.role === 'label');
  const labelValues = csvProfile && label ? (csvProfile.columns.find((c) => c.name === label.name)?.topValues ?? []) : [];

  return (
    <div className="space-y-6">
      <div className="flex gap-2">
        {(
          [
            ['csv', 'Upload a CSV'],
            ['images', 'Upload images (zip)'],
            ['synthetic', 'Generate synthetic data'],
          ] as const
        ).map(([t, title]) => (
          <button
            key={t}
            onClick={() => {
              setTab(t);
              setStaged(null);
              setError(null);
            }}
            className={cn('rounded-md px-3 py-1.5 text-sm', tab === t ? 'bg-brand-600 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-200')}
          >
            {title}
          </button>
        ))}
      </div>
      {error ? <Alert data-testid="dataset-error">{error}</Alert> : null}

      {tab === 'csv' ? (
        <Card className="p-5">
          <Field label="CSV file" htmlFor="csv-file" hint="Comma, semicolon, tab or pipe separated, UTF-8, with or without a header row. Streamed: large files are fine.">
            <input id="csv-file" type="file" accept=".csv,.tsv,.txt,text/csv" onChange={(e) => void onFile(e.target.files?.[0], 'csv')} className="block text-sm" />
          </Field>
        </Card>
      ) : null}
      {tab === 'images' ? (
        <Card className="space-y-4 p-5">
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label="Width" htmlFor="img-w">
              <Input id="img-w" value={String(image.width)} onChange={(e) => setImage({ ...image, width: Number(e.target.value) || 0 })} />
            </Field>
            <Field label="Height" htmlFor="img-h">
              <Input id="img-h" value={String(image.height)} onChange={(e) => setImage({ ...image, height: Number(e.target.value) || 0 })} />
            </Field>
            <Field label="Colour" htmlFor="img-c">
              <Select id="img-c" className="w-full" value={image.channels} onChange={(e) => setImage({ ...image, channels: Number(e.target.value) as 1 | 3 })}>
                <option value={3}>RGB</option>
                <option value={1}>Grayscale</option>
              </Select>
            </Field>
          </div>
          <Field label="Zip file" htmlFor="zip-file" hint="One folder per class with PNG or JPEG images, e.g. cats/1.png, dogs/7.jpg.">
            <input id="zip-file" type="file" accept=".zip,application/zip" onChange={(e) => void onFile(e.target.files?.[0], 'image-zip')} className="block text-sm" />
          </Field>
        </Card>
      ) : null}
      {tab === 'synthetic' ? (
        <Card className="space-y-4 p-5">
          <Field label="Generator" htmlFor="generator">
            <Select id="generator" value={generator} onChange={(e) => setGenerator(e.target.value as typeof generator)}>
              <option value="loans">Loan approvals (tabular, with a planted bias)</option>
              <option value="shapes">Shapes (images: circles, squares, triangles)</option>
              <option value="sequences">Sequence patterns (sine, square, sawtooth)</option>
            </Select>
          </Field>
          {generator === 'loans' ? (
            <div className="grid gap-3 sm:grid-cols-4">
              <Field label="Rows" htmlFor="loan-rows">
                <Input id="loan-rows" value={String(loan.rows)} onChange={(e) => setLoan({ ...loan, rows: Number(e.target.value) || 0 })} />
              </Field>
              <Field label="Bias strength (0–1)" htmlFor="loan-bias" hint="0: no planted bias; 1: strong">
                <Input id="loan-bias" value={String(loan.biasStrength)} onChange={(e) => setLoan({ ...loan, biasStrength: Number(e.target.value) })} />
              </Field>
              <Field label="Disadvantaged sex" htmlFor="loan-group">
                <Select id="loan-group" className="w-full" value={loan.value} onChange={(e) => setLoan({ ...loan, value: e.target.value })}>
                  <option value="female">female</option>
                  <option value="male">male</option>
                </Select>
              </Field>
              <Field label="Seed" htmlFor="loan-seed">
                <Input id="loan-seed" value={String(loan.seed)} onChange={(e) => setLoan({ ...loan, seed: Number(e.target.value) || 0 })} />
              </Field>
            </div>
          ) : generator === 'shapes' ? (
            <div className="grid gap-3 sm:grid-cols-3">
              <Field label="Images" htmlFor="shape-count">
                <Input id="shape-count" value={String(shapes.count)} onChange={(e) => setShapes({ ...shapes, count: Number(e.target.value) || 0 })} />
              </Field>
              <Field label="Size (px)" htmlFor="shape-size">
                <Input id="shape-size" value={String(shapes.size)} onChange={(e) => setShapes({ ...shapes, size: Number(e.target.value) || 0 })} />
              </Field>
              <Field label="Seed" htmlFor="shape-seed">
                <Input id="shape-seed" value={String(shapes.seed)} onChange={(e) => setShapes({ ...shapes, seed: Number(e.target.value) || 0 })} />
              </Field>
            </div>
          ) : (
            <div className="grid gap-3 sm:grid-cols-3">
              <Field label="Sequences" htmlFor="seq-count">
                <Input id="seq-count" value={String(seqs.count)} onChange={(e) => setSeqs({ ...seqs, count: Number(e.target.value) || 0 })} />
              </Field>
              <Field label="Length" htmlFor="seq-length">
                <Input id="seq-length" value={String(seqs.length)} onChange={(e) => setSeqs({ ...seqs, length: Number(e.target.value) || 0 })} />
              </Field>
              <Field label="Seed" htmlFor="seq-seed">
                <Input id="seq-seed" value={String(seqs.seed)} onChange={(e) => setSeqs({ ...seqs, seed: Number(e.target.value) || 0 })} />
              </Field>
            </div>
          )}
        </Card>
      ) : null}

      {progress !== null ? (
        <div className="rounded-md border border-slate-200 bg-white p-4" data-testid="upload-progress">
          <div className="mb-1 flex justify-between text-sm">
            <span>{progress < 1 ? 'Uploading…' : 'Checking and profiling…'}</span>
            <span>{Math.round(progress * 100)}%</span>
          </div>
          <div className="h-2 overflow-hidden rounded bg-slate-100">
            <div className="h-full bg-brand-600 transition-all" style={{ width: `${progress * 100}%` }} />
          </div>
        </div>
      ) : null}

      {csvProfile ? (
        <Card>
          <CardHeader
            title={`${staged!.filename}: ${csvProfile.rowCount.toLocaleString()} rows × ${csvProfile.columns.length} columns`}
            description={`Delimiter ${JSON.stringify(csvProfile.format.delimiter)} · ${csvProfile.format.hasHeader ? 'header row' : 'no header (columns named column_1…)'}. Choose the label and the sensitive attributes; fairness reports group by the latter.`}
          />
          {csvProfile.warnings.length ? (
            <Alert tone="info" className="mx-5 mt-4">
              {csvProfile.warnings.join(' ')}
            </Alert>
          ) : null}
          <div className="overflow-x-auto">
            <ColumnsTable columns={csvProfile.columns} rowCount={csvProfile.rowCount} choices={choices} onChange={setChoices} />
          </div>
          <div className="grid gap-3 border-t border-slate-100 p-5 sm:grid-cols-3">
            <Field label="Task" htmlFor="task-kind" hint="Inferred from the label unless you pick one">
              <Select id="task-kind" className="w-full" value={taskKind} onChange={(e) => setTaskKind(e.target.value as typeof taskKind)}>
                <option value="">infer from the label</option>
                <option value="binary">binary classification</option>
                <option value="multiclass">multiclass classification</option>
                <option value="regression">regression</option>
              </Select>
            </Field>
            {label && labelValues.length === 2 ? (
              <Field label="Positive class" htmlFor="positive-class">
                <Select id="positive-class" className="w-full" value={positiveClass} onChange={(e) => setPositiveClass(e.target.value)}>
                  <option value="">infer</option>
                  {labelValues.map((v) => (
                    <option key={v.value} value={v.value}>
                      {v.value}
                    </option>
                  ))}
                </Select>
              </Field>
            ) : null}
          </div>
          <div className="border-t border-slate-100 p-5">
            <label className="flex items-center gap-2 text-sm font-medium">
              <input
                type="checkbox"
                checked={series.enabled}
                onChange={(e) => setSeries({ ...series, enabled: e.target.checked, target: series.target || (csvProfile.columns.find((c) => c.type === 'numeric')?.name ?? '') })}
              />
              Rows are time steps: cut them into windows and forecast a column
            </label>
            {series.enabled ? (
              <div className="mt-3 grid gap-3 sm:grid-cols-4">
                <Field label="Forecast column" htmlFor="ts-target">
                  <Select id="ts-target" className="w-full" value={series.target} onChange={(e) => setSeries({ ...series, target: e.target.value })}>
                    {csvProfile.columns
                      .filter((c) => c.type === 'numeric')
                      .map((c) => (
                        <option key={c.name} value={c.name}>
                          {c.name}
                        </option>
                      ))}
                  </Select>
                </Field>
                <Field label="Window (steps)" htmlFor="ts-window">
                  <Input id="ts-window" value={String(series.window)} onChange={(e) => setSeries({ ...series, window: Number(e.target.value) || 0 })} />
                </Field>
                <Field label="Stride" htmlFor="ts-stride">
                  <Input id="ts-stride" value={String(series.stride)} onChange={(e) => setSeries({ ...series, stride: Number(e.target.value) || 0 })} />
                </Field>
                <Field label="Horizon (steps ahead)" htmlFor="ts-horizon">
                  <Input id="ts-horizon" value={String(series.horizon)} onChange={(e) => setSeries({ ...series, horizon: Number(e.target.value) || 0 })} />
                </Field>
                <p className="text-xs text-slate-500 sm:col-span-4">
                  Numeric feature columns become the window&apos;s features; the split is chronological (no shuffling), so no future values leak into training.
                </p>
              </div>
            ) : null}
          </div>
        </Card>
      ) : null}

      {imageProfile ? (
        <Card>
          <CardHeader
            title={`${imageProfile.images.toLocaleString()} images in ${imageProfile.classNames.length} classes`}
            description={`Resized to ${imageProfile.width}×${imageProfile.height}, ${imageProfile.channels === 1 ? 'grayscale' : 'RGB'}.${imageProfile.skipped.length ? ` Skipped ${imageProfile.skipped.length} system file(s).` : ''}`}
          />
          <div className="p-5">
            <ImageGrid previews={imageProfile.previews} counts={imageProfile.counts} />
            <h3 className="mb-2 mt-5 text-sm font-semibold">Augmentation while training</h3>
            <div className="grid gap-3 sm:grid-cols-4">
              <label className="flex items-center gap-2 pt-6 text-sm">
                <input type="checkbox" checked={augment.horizontalFlip} onChange={(e) => setAugment({ ...augment, horizontalFlip: e.target.checked })} /> Horizontal flip
              </label>
              <Field label="Rotation (°)" htmlFor="aug-rot">
                <Input id="aug-rot" value={String(augment.rotationDegrees)} onChange={(e) => setAugment({ ...augment, rotationDegrees: Number(e.target.value) || 0 })} />
              </Field>
              <Field label="Shift (fraction)" htmlFor="aug-shift">
                <Input id="aug-shift" value={String(augment.shiftFraction)} onChange={(e) => setAugment({ ...augment, shiftFraction: Number(e.target.value) || 0 })} />
              </Field>
              <Field label="Noise (std)" htmlFor="aug-noise">
                <Input id="aug-noise" value={String(augment.noiseStd)} onChange={(e) => setAugment({ ...augment, noiseStd: Number(e.target.value) || 0 })} />
              </Field>
            </div>
          </div>
        </Card>
      ) : null}

      {staged || tab === 'synthetic' ? (
        <Card className="space-y-4 p-5">
          <h3 className="text-sm font-semibold">Splits</h3>
          <SplitFields split={split} onChange={setSplit} stratifyOptions={!!csvProfile} />
          <div className="flex flex-wrap items-end gap-3 border-t border-slate-100 pt-4">
            <div className="min-w-72 flex-1">
              <Field label="Dataset name" htmlFor="dataset-name">
                <Input id="dataset-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Adult income" />
              </Field>
            </div>
            <Button onClick={create} disabled={busy || !name.trim()}>
              {busy ? 'Creating…' : 'Create dataset'}
            </Button>
          </div>
        </Card>
      ) : null}
    </div>
  );
}
