import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import { getTemplate } from '@/lib/arch/templates';
import { LocalArtifactStore } from '@/lib/artifacts/store';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import { buildArchitecture } from '../model/build';
import { disposeModels } from '../training/compile';
import { runConfig } from '../training/fixtures';
import { DivergenceError } from '../training/hooks';
import { denseForward } from './policy';
import { trainReinforcement } from './policy-gradient';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(os.tmpdir(), 'deepboard-rl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const spec = getTemplate('policy-network').build({ inputShape: [4], task: 'multiclass', numClasses: 2 });
const rlConfig = (rl: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  runConfig({ paradigm: 'reinforcement', checkpoint: { keepBest: false }, ...extra, rl: { stopWhenSolved: false, checkpointEveryEpisodes: 0, ...rl } });
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function play(rl: Record<string, unknown>, extra: Record<string, unknown> = {}, hooks = {}) {
  const built = await buildArchitecture(spec, { seed: (extra.seed as number | undefined) ?? 1 });
  const result = await trainReinforcement({ policy: built.models.policy!, value: built.models.value, config: rlConfig(rl, extra), hooks });
  disposeModels(Object.values(built.models));
  return result;
}

describe('policy forward pass in JavaScript', () => {
  it('matches tfjs for dense networks with every supported activation', async () => {
    const net = ZArchitectureSpec.parse({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [2, 2] },
        { type: 'flatten' },
        { type: 'dense', units: 5, activation: 'relu' },
        { type: 'dense', units: 5, activation: 'elu' },
        { type: 'activation', activation: 'leakyRelu', alpha: 0.1 },
        { type: 'dense', units: 4, activation: 'softplus', biasInitializer: 'randomNormal' },
        { type: 'dense', units: 3, activation: 'sigmoid' },
        { type: 'dense', units: 3, activation: 'tanh' },
        { type: 'dense', units: 2, activation: 'softmax' },
      ],
    });
    const built = await buildArchitecture(net, { seed: 2 });
    const model = built.models.model!;
    const forward = denseForward(model)!;
    const x = [0.3, -1.2, 2.5, 0.7];
    const expected = tf.tidy(() => Array.from((model.predict(tf.tensor([x], [1, 2, 2])) as tf.Tensor).dataSync()));
    Array.from(forward(x)).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    built.dispose();
  });

  it('declines layers it does not cover', async () => {
    const net = ZArchitectureSpec.parse({
      kind: 'sequential',
      layers: [{ type: 'input', shape: [4] }, { type: 'batchNormalization' }, { type: 'dense', units: 2, activation: 'softmax' }],
    });
    const built = await buildArchitecture(net, { seed: 2 });
    expect(denseForward(built.models.model!)).toBeNull();
    built.dispose();
  });
});

describe('trainReinforcement on CartPole', () => {
  it('learns with REINFORCE and with actor-critic: late returns far above early ones', async () => {
    for (const algorithm of ['reinforce', 'actor-critic'] as const) {
      const result = await play({ algorithm, episodes: 90 });
      const returns = result.history.logs.return!;
      expect(returns, algorithm).toHaveLength(90);
      // A random policy averages about 22 steps.
      expect(mean(returns.slice(0, 15)), algorithm).toBeLessThan(40);
      expect(mean(returns.slice(-15)), algorithm).toBeGreaterThan(3 * mean(returns.slice(0, 15)));
      expect(result.history.logs.mean_return!.at(-1)).toBeCloseTo(mean(returns.slice(-90)), 8);
      if (algorithm === 'actor-critic') expect(result.history.logs.value_loss).toHaveLength(90);
    }
  });

  it('declares the task solved when the rolling mean reaches the threshold, and stops', async () => {
    const lines: string[] = [];
    const result = await play({ episodes: 200, solveThreshold: 60, solveWindow: 10, stopWhenSolved: true }, {}, { log: (l: string) => void lines.push(l) });
    expect(result.stopReason).toBe('solved');
    expect(result.solvedAt).toBe(result.lastEpoch);
    expect(mean(result.history.logs.return!.slice(-10))).toBeGreaterThanOrEqual(60);
    expect(lines.join('\n')).toMatch(/solved at episode \d+: mean return [\d.]+ over the last 10 episodes/);
  });

  it('plays identical episodes for the same seed and stops within one episode of a request', async () => {
    const a = await play({ episodes: 12 }, { seed: 5 });
    const b = await play({ episodes: 12 }, { seed: 5 });
    expect(b.history.logs.return).toEqual(a.history.logs.return);
    expect(b.history.logs.policy_loss).toEqual(a.history.logs.policy_loss);
    let episodes = 0;
    const stopped = await play({ episodes: 12 }, { seed: 5 }, { onEpochEnd: () => void episodes++, shouldStop: () => episodes >= 4 });
    expect(stopped.stopReason).toBe('cancelled');
    expect(stopped.lastEpoch).toBe(4);
  });

  it('resumes from a checkpoint: the rolling mean and the episodes carry on', async () => {
    const store = new LocalArtifactStore(dir);
    const full = await play(
      { episodes: 16, solveWindow: 8, checkpointEveryEpisodes: 8 },
      { seed: 3 },
      {
        onCheckpoint: async (e: Parameters<typeof saveCheckpoint>[2] & { epoch: number }) => {
          if (e.epoch === 8) await saveCheckpoint(store, 'rl/ckpt', e);
        },
      },
    );
    const checkpoint = await loadCheckpoint(store, 'rl/ckpt');
    expect(checkpoint.meta.state.recentReturns).toEqual(full.history.logs.return!.slice(0, 8));
    const resumed = await trainReinforcement({
      policy: checkpoint.models.policy!,
      value: checkpoint.models.value,
      config: rlConfig({ episodes: 16, solveWindow: 8, checkpointEveryEpisodes: 8 }, { seed: 3 }),
      initialEpisode: checkpoint.meta.epoch,
      initialState: checkpoint.meta.state,
    });
    expect(resumed.history.epoch).toEqual([9, 10, 11, 12, 13, 14, 15, 16]);
    expect(resumed.history.logs.return).toEqual(full.history.logs.return!.slice(8));
    resumed.history.logs.mean_return!.forEach((m, i) => expect(m).toBeCloseTo(full.history.logs.mean_return![8 + i]!, 10));
    checkpoint.dispose();
  });

  it('throws a DivergenceError naming the episode when the update explodes', async () => {
    // A saturated softmax policy stays finite however large its weights; the critic's squared error does not.
    const error = await play({ episodes: 20, algorithm: 'actor-critic' }, { learningRate: 1e30, optimizer: { name: 'sgd' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toMatch(/^(policy|value) loss became (NaN|Infinity) at epoch [1-9]\d*, step [1-9]\d*/);
  });

  it('asks for a value network for actor-critic', async () => {
    const built = await buildArchitecture(spec, { seed: 1 });
    await expect(trainReinforcement({ policy: built.models.policy!, config: rlConfig({ algorithm: 'actor-critic' }) })).rejects.toThrow('actor-critic needs a value network');
    disposeModels(Object.values(built.models));
  });
});
