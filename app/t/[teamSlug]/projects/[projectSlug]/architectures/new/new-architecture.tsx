'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { ARCHITECTURE_TEMPLATES, ZDatasetShape, type DatasetShape, type TemplateId } from '@/lib/arch/templates';
import { ArchitectureEditor, validateDraft, type DraftSpec } from '../../../../../../_components/arch/architecture-editor';
import { Alert, Button, Card, CardHeader, Field, Input, Select, cn } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';

function parseShape(text: string): number[] | null {
  const parts = text
    .split(/[\s,x×]+/)
    .filter(Boolean)
    .map(Number);
  return parts.length && parts.every((n) => Number.isInteger(n) && n > 0) ? parts : null;
}

export function NewArchitecture({ teamId, projectId, basePath }: { teamId: string; projectId: string; basePath: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [mode, setMode] = useState<'template' | 'keras'>('template');
  const [task, setTask] = useState<DatasetShape['task']>('multiclass');
  const [shapeText, setShapeText] = useState('28, 28, 1');
  const [classes, setClasses] = useState('10');
  const [vocab, setVocab] = useState('');
  const [templateId, setTemplateId] = useState<TemplateId | null>(null);
  const [draft, setDraft] = useState<DraftSpec | null>(null);
  const [name, setName] = useState('');
  const [kerasJson, setKerasJson] = useState('');
  const [error, setError] = useState<string | null>(null);

  const dataset = useMemo(() => {
    const inputShape = parseShape(shapeText);
    const candidate = {
      inputShape: inputShape ?? [],
      task,
      ...(task === 'multiclass' ? { numClasses: Number(classes) } : {}),
      ...(vocab.trim() ? { vocabSize: Number(vocab) } : {}),
    };
    const parsed = ZDatasetShape.safeParse(candidate);
    return parsed.success ? { ok: true as const, shape: parsed.data } : { ok: false as const, message: inputShape ? parsed.error.issues[0]!.message : 'Input shape: numbers like 8 or 28, 28, 1' };
  }, [task, shapeText, classes, vocab]);

  const create = useMutation(trpc.architectures.create.mutationOptions());
  const importKeras = useMutation(trpc.architectures.importKeras.mutationOptions());
  const validation = draft ? validateDraft(draft) : null;

  function choose(id: TemplateId) {
    if (!dataset.ok) return;
    const t = ARCHITECTURE_TEMPLATES.find((x) => x.id === id)!;
    setTemplateId(id);
    setDraft(structuredClone(t.build(dataset.shape)) as DraftSpec);
    setName((n) => n || t.title);
    setError(null);
  }

  async function submit() {
    setError(null);
    try {
      if (mode === 'keras') {
        const res = await importKeras.mutateAsync({ teamId, projectId, name, json: kerasJson });
        router.push(`${basePath}/${res.id}`);
      } else if (validation?.spec) {
        const res = await create.mutateAsync({ teamId, projectId, name, spec: validation.spec, message: `Created from template ${templateId}` });
        router.push(`${basePath}/${res.id}`);
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not create the architecture');
    }
  }

  return (
    <div className="space-y-6">
      <div className="flex gap-2">
        {(['template', 'keras'] as const).map((m) => (
          <button key={m} onClick={() => setMode(m)} className={cn('rounded-md px-3 py-1.5 text-sm', mode === m ? 'bg-brand-600 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-200')}>
            {m === 'template' ? 'From a template' : 'Import Keras / TensorFlow.js JSON'}
          </button>
        ))}
      </div>

      {mode === 'template' ? (
        <>
          <Card>
            <CardHeader title="Your data" description="Templates adapt their input and output layers to it." />
            <div className="grid gap-4 p-5 sm:grid-cols-4">
              <Field label="Task" htmlFor="task">
                <Select id="task" value={task} onChange={(e) => setTask(e.target.value as DatasetShape['task'])} className="w-full">
                  <option value="binary">Binary classification</option>
                  <option value="multiclass">Multiclass classification</option>
                  <option value="regression">Regression</option>
                </Select>
              </Field>
              <Field label="Input shape (one example)" htmlFor="input-shape" hint="e.g. 14 features, 28, 28, 1 images, or 40, 8 sequences">
                <Input id="input-shape" value={shapeText} onChange={(e) => setShapeText(e.target.value)} />
              </Field>
              {task === 'multiclass' ? (
                <Field label="Classes" htmlFor="classes">
                  <Input id="classes" value={classes} onChange={(e) => setClasses(e.target.value)} />
                </Field>
              ) : null}
              <Field label="Vocabulary size (text)" htmlFor="vocab" hint="Only for token sequences">
                <Input id="vocab" value={vocab} onChange={(e) => setVocab(e.target.value)} placeholder="—" />
              </Field>
            </div>
            {!dataset.ok ? <Alert className="mx-5 mb-5">{dataset.message}</Alert> : null}
          </Card>

          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="templates">
            {ARCHITECTURE_TEMPLATES.map((t) => {
              const misfit = dataset.ok ? t.misfit(dataset.shape) : 'describe your data first';
              return (
                <button
                  key={t.id}
                  disabled={!!misfit}
                  onClick={() => choose(t.id)}
                  className={cn(
                    'rounded-lg border bg-white p-4 text-left transition',
                    templateId === t.id ? 'border-brand-500 ring-2 ring-brand-100' : 'border-slate-200 hover:border-brand-500',
                    misfit && 'cursor-not-allowed opacity-50 hover:border-slate-200',
                  )}
                >
                  <span className="block font-medium">{t.title}</span>
                  <span className="mt-1 block text-xs uppercase tracking-wide text-slate-400">
                    {t.family} · {t.kind}
                  </span>
                  <span className="mt-1.5 block text-sm text-slate-500">{misfit ? `Does not fit: ${misfit}` : t.description}</span>
                </button>
              );
            })}
          </div>

          {draft ? <ArchitectureEditor draft={draft} onChange={setDraft} /> : null}
        </>
      ) : (
        <Card>
          <CardHeader title="Model JSON" description="The output of model.toJSON() in TensorFlow.js or Keras, or a model.json file (its modelTopology is read)." />
          <div className="p-5">
            <textarea
              aria-label="Model JSON"
              className="h-64 w-full rounded-md border border-slate-300 p-3 font-mono text-xs"
              value={kerasJson}
              onChange={(e) => setKerasJson(e.target.value)}
              placeholder='{"class_name": "Sequential", "config": {...}}'
            />
          </div>
        </Card>
      )}

      {(mode === 'keras' || draft) && (
        <Card className="p-5">
          {error ? <Alert className="mb-3">{error}</Alert> : null}
          <div className="flex flex-wrap items-end gap-3">
            <div className="min-w-72 flex-1">
              <Field label="Name" htmlFor="arch-name">
                <Input id="arch-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Digits CNN" />
              </Field>
            </div>
            <Button onClick={submit} disabled={!name.trim() || create.isPending || importKeras.isPending || (mode === 'template' && !validation?.summary)}>
              {create.isPending || importKeras.isPending ? 'Creating…' : 'Create architecture'}
            </Button>
          </div>
        </Card>
      )}
    </div>
  );
}
