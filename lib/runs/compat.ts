import type { ArchitectureSummary } from '../arch/infer';
import { formatShape } from '../arch/infer';
import type { Task } from '../datasets/schema';
import type { Paradigm } from '../schemas/runs';

/**
 * Whether an architecture version can train on a dataset version in a paradigm, checked from
 * their stored metadata before anything is queued, with a message that says what to change.
 */

export interface DataShape {
  kind: 'tabular' | 'text' | 'image' | 'sequence';
  inputShape: number[];
  inputDtype: 'float32' | 'int32';
  task: Task | null;
  numClasses: number | null;
  vocabSize: number | null;
  /** Regression targets per example (forecast horizon). */
  targetSize: number;
}

/** CartPole: 4 observations, 2 actions. */
export const CARTPOLE = { observation: [4], actions: 2 } as const;

export function dataShapeOf(version: { kind: string; task: string | null; schema: unknown; preprocessing: unknown }): DataShape {
  const task = version.task ? (JSON.parse(version.task) as Task) : null;
  const schema = (version.schema ?? {}) as Record<string, unknown>;
  const pre = (version.preprocessing ?? {}) as Record<string, unknown>;
  const numClasses = task?.kind === 'binary' ? 2 : task?.kind === 'multiclass' ? task.classes.length : null;
  switch (version.kind) {
    case 'image': {
      const s = schema as { width: number; height: number; channels: number };
      return { kind: 'image', inputShape: [s.height, s.width, s.channels], inputDtype: 'float32', task, numClasses, vocabSize: null, targetSize: 1 };
    }
    case 'sequence': {
      const s = schema as { length: number; features?: number; horizon?: number };
      return { kind: 'sequence', inputShape: [s.length, s.features ?? 1], inputDtype: 'float32', task, numClasses, vocabSize: null, targetSize: s.horizon ?? 1 };
    }
    case 'text': {
      const tok = pre.tokenizer as { settings: { sequenceLength: number; vocabSize: number } };
      return { kind: 'text', inputShape: [tok.settings.sequenceLength], inputDtype: 'int32', task, numClasses, vocabSize: tok.settings.vocabSize, targetSize: 1 };
    }
    default: {
      const enc = pre.encoder as { featureNames: string[] } | null;
      return { kind: 'tabular', inputShape: [enc?.featureNames.length ?? 0], inputDtype: 'float32', task, numClasses, vocabSize: null, targetSize: 1 };
    }
  }
}

const same = (a: readonly (number | null)[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === null || d === b[i]);

/** Problems (empty when it fits). */
export function checkCompatibility(paradigm: Paradigm, arch: ArchitectureSummary, data: DataShape | null): string[] {
  const problems: string[] = [];
  const part = (name: string) => arch.parts.find((p) => p.part === name);
  if (paradigm === 'reinforcement') {
    if (arch.kind !== 'policy') return [`reinforcement learning needs a policy network; this architecture is ${arch.kind}`];
    const policy = part('policy')!;
    if (!same(policy.inputShape, CARTPOLE.observation))
      problems.push(`the CartPole environment observes ${formatShape([...CARTPOLE.observation])}; the policy network takes ${formatShape(policy.inputShape)}`);
    if (!same(policy.outputShape, [CARTPOLE.actions])) problems.push(`CartPole has ${CARTPOLE.actions} actions; the policy network outputs ${formatShape(policy.outputShape)}`);
    return problems;
  }
  if (!data) return [`${paradigm} training needs a dataset`];
  const expectedKind = paradigm === 'supervised' ? 'sequential' : paradigm;
  if (arch.kind !== expectedKind) return [`${paradigm} training needs a ${expectedKind} architecture; this one is ${arch.kind}`];
  const input = arch.parts[0]!;
  if (paradigm === 'gan') {
    const gen = part('generator')!;
    if (!same(gen.outputShape, data.inputShape)) problems.push(`the generator makes ${formatShape(gen.outputShape)} samples but the dataset's examples are ${formatShape(data.inputShape)}`);
    return problems;
  }
  if (!same(input.inputShape, data.inputShape)) {
    problems.push(
      `the architecture takes inputs of shape ${formatShape(input.inputShape)} but the dataset's examples are ${formatShape(data.inputShape)}${data.kind === 'tabular' ? ` (${data.inputShape[0]} encoded features)` : ''}`,
    );
  }
  if (data.inputDtype === 'int32' && input.inputDtype !== 'int32') problems.push('the dataset holds token ids: the architecture must start with an int32 input and an embedding layer');
  if (data.vocabSize !== null) {
    const emb = arch.layers.find((l) => l.type === 'embedding');
    if (emb && emb.params / Math.max(1, emb.outputShape.at(-1) ?? 1) < data.vocabSize) {
      problems.push(`the embedding layer '${emb.name}' has fewer rows than the tokenizer's vocabulary of ${data.vocabSize}`);
    }
  }
  if (paradigm === 'supervised') {
    const out = arch.parts.at(-1)!.outputShape;
    if (!data.task) problems.push('the dataset has no label column');
    else if (data.task.kind === 'binary' && !same(out, [1]) && !same(out, [2])) problems.push(`a binary task needs 1 output unit (sigmoid); the architecture outputs ${formatShape(out)}`);
    else if (data.task.kind === 'multiclass' && !same(out, [data.numClasses!])) problems.push(`the dataset has ${data.numClasses} classes; the architecture outputs ${formatShape(out)}`);
    else if (data.task.kind === 'regression' && !same(out, [data.targetSize]))
      problems.push(`a regression target of size ${data.targetSize} needs an output of [${data.targetSize}]; the architecture outputs ${formatShape(out)}`);
  }
  if (paradigm === 'autoencoder') {
    const dec = part('decoder')!;
    if (!same(dec.outputShape, data.inputShape)) problems.push(`the decoder rebuilds ${formatShape(dec.outputShape)} but the examples are ${formatShape(data.inputShape)}`);
  }
  return problems;
}
