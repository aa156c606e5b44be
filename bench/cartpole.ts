/**
 * Measures how many CartPole episodes each algorithm needs to solve the task with the policy
 * template, and how long that takes on this machine. Prints figures; asserts nothing.
 *
 *   node bin/run-ts.mjs bench/cartpole.ts [backend=cpu|wasm] [seeds=1,2,3] [algorithms=reinforce,actor-critic]
 */
import * as tf from '@tensorflow/tfjs';
import { getTemplate } from '@/lib/arch/templates';
import { resolveRunConfig, ZRunConfig, type RunConfigInput } from '@/lib/schemas/runs';
import { loadBestBackend } from '@/worker/backend';
import { buildArchitecture } from '@/worker/model/build';
import { disposeModels } from '@/worker/training/compile';
import { trainReinforcement } from '@/worker/rl/policy-gradient';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const backend = (args.backend ?? 'cpu') as 'cpu' | 'wasm';
const seeds = (args.seeds ?? '1,2,3').split(',').map(Number);
const algorithms = (args.algorithms ?? 'reinforce,actor-critic').split(',') as ('reinforce' | 'actor-critic')[];
const episodes = Number(args.episodes ?? 2000);
const extra = args.config ? (JSON.parse(args.config) as Partial<RunConfigInput>) : {};

await loadBestBackend(backend);
console.log(`backend ${tf.getBackend()}, template policy-network (64-64 tanh, softmax over 2 actions)`);
const spec = getTemplate('policy-network').build({ inputShape: [4], task: 'multiclass', numClasses: 2 });

for (const algorithm of algorithms) {
  for (const seed of seeds) {
    const config = resolveRunConfig(ZRunConfig.parse({ paradigm: 'reinforcement', seed, ...extra, rl: { algorithm, episodes, ...extra.rl } }));
    const built = await buildArchitecture(spec, { seed });
    const started = performance.now();
    const result = await trainReinforcement({ policy: built.models.policy!, value: built.models.value, config });
    const seconds = (performance.now() - started) / 1000;
    const steps = result.history.logs.length!.reduce((a, b) => a + b, 0);
    const mean = result.history.logs.mean_return!.at(-1)!;
    console.log(
      `${algorithm.padEnd(12)} seed ${seed}: ${result.solvedAt ? `solved at episode ${result.solvedAt}` : `not solved in ${result.lastEpoch}`}, ` +
        `final 100-episode mean ${mean.toFixed(1)}, ${steps} env steps, ${seconds.toFixed(1)} s`,
    );
    disposeModels(Object.values(built.models));
  }
}
