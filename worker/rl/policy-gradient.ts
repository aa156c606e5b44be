/**
 * Policy-gradient training on CartPole: one episode, then one update, repeated.
 *
 * - REINFORCE (Williams 1992): the policy's log-probabilities of the actions taken, weighted by
 *   the discounted returns normalised within the episode (a per-episode baseline).
 * - Actor-critic: the spec's value network learns V(s) by regression on λ-returns; the policy
 *   is weighted by GAE advantages (normalised), bootstrapping from V where the step limit, not
 *   the pole, ended the episode.
 * Both add an optional entropy bonus. One episode plays the part of an epoch: hooks see
 * `epoch` = episode and `step` = number of policy updates.
 *
 * Every episode draws its start state and its actions from a generator seeded by (run seed,
 * episode), so a run and its resumption play the same episodes given the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed } from '@/lib/random';
import { learningRateAt, RunConfigError, type ResolvedRunConfig } from '@/lib/schemas/runs';
import { STREAMS } from '../training/batches';
import { compileForTraining } from '../training/compile';
import { trainableVariables, type History } from '../training/fit-loop';
import { checkFinite, eventLoopYielder, throttleBatches, TrainingDataError, withDefaults, type Logs, type StopReason, type TrainerHooks, type TrainerState } from '../training/hooks';
import { Monitor } from '../training/monitor';
import { setLearningRate } from '../training/optimizers';
import { ACTION_COUNT, CartPole, OBSERVATION_SIZE } from './cartpole';
import { actionLogProbs, policyHead, policyRunner, probabilities } from './policy';
import { discountedReturns, generalisedAdvantages, normalise, RollingMean } from './returns';

export interface ReinforcementInput {
  policy: tf.LayersModel;
  /** The value part; required by actor-critic, unused by REINFORCE. */
  value?: tf.LayersModel;
  config: ResolvedRunConfig;
  hooks?: Partial<TrainerHooks>;
  /** Resume: episodes already played and the state saved with the checkpoint. */
  initialEpisode?: number;
  initialState?: TrainerState;
}

export interface ReinforcementResult {
  policy: tf.LayersModel;
  value?: tf.LayersModel;
  /** Per episode: return, mean_return (rolling), length, policy_loss, entropy (+ value_loss). */
  history: History;
  stopReason: StopReason;
  /** The last episode played. */
  lastEpoch: number;
  /** First episode at which the rolling mean reached the threshold, or null. */
  solvedAt: number | null;
  /** Best full-window rolling mean seen. */
  bestMeanReturn: number | null;
  state: TrainerState;
}

interface Episode {
  observations: number[];
  actions: number[];
  rewards: number[];
  /** Ended by the pole falling or the cart leaving (not by the step limit). */
  terminated: boolean;
  finalObservation: number[];
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export async function trainReinforcement(input: ReinforcementInput): Promise<ReinforcementResult> {
  const { policy, config } = input;
  const { rl } = config;
  const hooks = withDefaults(input.hooks);
  const actorCritic = rl.algorithm === 'actor-critic';
  const value = actorCritic ? input.value : undefined;
  if (actorCritic && !value) throw new RunConfigError('actor-critic needs a value network: add a value part to the architecture, or use REINFORCE');
  if (!actorCritic && input.value) hooks.log('REINFORCE does not use the value network; it stays untrained');
  const inputSize = policy.inputs[0]!.shape.slice(1).reduce<number>((a, b) => a * (b ?? Number.NaN), 1);
  if (inputSize !== OBSERVATION_SIZE) {
    throw new TrainingDataError(`CartPole observations have ${OBSERVATION_SIZE} values; the policy takes [${policy.inputs[0]!.shape.slice(1).join(', ')}]`);
  }
  if (value && (value.outputs[0]!.shape.length !== 2 || value.outputs[0]!.shape[1] !== 1)) {
    throw new TrainingDataError(`the value network must output one number per state, not [${value.outputs[0]!.shape.slice(1).join(', ')}]`);
  }
  const head = policyHead(policy, ACTION_COUNT);
  const inputShape = [-1, ...(policy.inputs[0]!.shape.slice(1) as number[])];

  const nominalLoss = () => tf.scalar(0);
  const policyOpt = compileForTraining(policy, config, null, hooks.log, nominalLoss);
  const valueOpt = value ? compileForTraining(value, config, 'meanSquaredError', hooks.log, nominalLoss) : null;
  const policyVars = trainableVariables([policy]);
  const valueVars = value ? trainableVariables([value]) : [];

  const env = new CartPole(rl.maxSteps);
  const initialEpisode = input.initialEpisode ?? 0;
  const window = new RollingMean(rl.solveWindow, input.initialState?.recentReturns ?? []);
  let step = input.initialState?.step ?? initialEpisode;
  const report = throttleBatches(hooks.onBatchEnd, config.batchMetricThrottleMs);
  const yieldNow = eventLoopYielder();
  const history: History = { epoch: [], logs: {} };
  let stopReason: StopReason = 'completed';
  let lastEpoch = initialEpisode;
  let solvedAt: number | null = null;
  let bestMeanReturn: number | null = null;

  // Keep-best watches a per-episode value; anything not logged here becomes mean_return.
  const rlKeys = ['return', 'mean_return', 'length'];
  const monitorKey = rlKeys.includes(config.checkpoint.monitor) ? config.checkpoint.monitor : 'mean_return';
  // Every per-episode value here is better when higher.
  const best = config.checkpoint.keepBest ? new Monitor(monitorKey, 'max') : null;
  if (best && input.initialState?.monitors.best) best.state = input.initialState.monitors.best;
  const state = (): TrainerState => ({
    epoch: lastEpoch,
    step,
    monitors: best ? { best: best.state } : {},
    recentReturns: window.recent,
  });
  const models = value ? { policy, value } : { policy };

  let runner = policyRunner(policy);
  if (!runner.fast) hooks.log('the policy has layers the fast path does not cover; acting through tfjs (slower)');

  for (let episode = initialEpisode + 1; episode <= rl.episodes; episode++) {
    // Schedules count episodes here.
    const learningRate = learningRateAt({ ...config, epochs: rl.episodes }, episode - 1);
    const rng = createRng(deriveSeed(config.seed, STREAMS.episodes, episode));

    // Play one episode with the current policy.
    const played: Episode = { observations: [], actions: [], rewards: [], terminated: false, finalObservation: [] };
    let observation: number[] = env.reset(rng);
    for (;;) {
      const probs = probabilities(runner.run(observation), head);
      const action = rng.next() < probs[0]! ? 0 : 1;
      played.observations.push(...observation);
      played.actions.push(action);
      const result = env.step(action);
      played.rewards.push(result.reward);
      observation = result.observation;
      if (result.terminated || result.truncated) {
        played.terminated = result.terminated;
        played.finalObservation = observation;
        break;
      }
    }

    // One update from it.
    setLearningRate(policyOpt, learningRate);
    if (valueOpt) setLearningRate(valueOpt, learningRate);
    const T = played.actions.length;
    const states = tf.tidy(() => tf.tensor(played.observations, [T, OBSERVATION_SIZE]).reshape(inputShape));
    let advantages: number[];
    let valueLoss: number | null = null;
    try {
      if (value) {
        const values = tf.tidy(() => {
          const all = tf.concat([states.reshape([T, OBSERVATION_SIZE]), tf.tensor2d([played.finalObservation])]).reshape(inputShape);
          return Array.from((value.predict(all) as tf.Tensor).dataSync());
        });
        if (played.terminated) values[T] = 0;
        const gae = generalisedAdvantages(played.rewards, values, rl.gamma, rl.lambda);
        const targets = gae.map((a, t) => a + values[t]!);
        const loss = valueOpt!.minimize(
          () => tf.tidy(() => tf.mean(tf.squaredDifference((value.apply(states, { training: true }) as tf.Tensor).reshape([T]), tf.tensor1d(targets))) as tf.Scalar),
          true,
          valueVars,
        )!;
        valueLoss = loss.dataSync()[0]!;
        loss.dispose();
        advantages = normalise(gae);
      } else {
        advantages = normalise(discountedReturns(played.rewards, rl.gamma));
      }

      let entropy = 0;
      const policyLoss = policyOpt.minimize(
        () =>
          tf.tidy(() => {
            const logProbs = actionLogProbs(policy.apply(states, { training: true }) as tf.Tensor, head);
            const taken = tf.sum(tf.mul(logProbs, tf.oneHot(tf.tensor1d(played.actions, 'int32'), ACTION_COUNT)), 1);
            const objective = tf.mean(tf.mul(taken, tf.tensor1d(advantages)));
            const meanEntropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1)));
            entropy = meanEntropy.dataSync()[0]!;
            return tf.neg(tf.add(objective, tf.mul(rl.entropyBonus, meanEntropy))) as tf.Scalar;
          }),
        true,
        policyVars,
      )!;
      const lossValue = policyLoss.dataSync()[0]!;
      policyLoss.dispose();
      step++;
      checkFinite(lossValue, episode, step, 'policy loss');
      if (valueLoss !== null) checkFinite(valueLoss, episode, step, 'value loss');
      runner = policyRunner(policy);

      const episodeReturn = sum(played.rewards);
      window.push(episodeReturn);
      const logs: Logs = { return: episodeReturn, mean_return: window.mean, length: T, policy_loss: lossValue, entropy, learning_rate: learningRate };
      if (valueLoss !== null) logs.value_loss = valueLoss;
      lastEpoch = episode;
      history.epoch.push(episode);
      for (const [key, v] of Object.entries(logs)) (history.logs[key] ??= []).push(v);
      await report({ epoch: episode, batch: 0, step, logs: { policy_loss: lossValue, ...(valueLoss !== null ? { value_loss: valueLoss } : {}) } }, false);
      await hooks.onEpochEnd({ epoch: episode, logs });

      const windowFull = window.full || episode === rl.episodes;
      if (window.full) bestMeanReturn = Math.max(bestMeanReturn ?? -Infinity, window.mean);
      if (best && windowFull) {
        const { improved, value: monitored } = best.update(episode, logs);
        if (improved) await hooks.onCheckpoint({ kind: 'best', epoch: episode, models, state: state(), value: monitored! });
      }
      if (rl.checkpointEveryEpisodes > 0 && episode % rl.checkpointEveryEpisodes === 0) {
        await hooks.onCheckpoint({ kind: 'epoch', epoch: episode, models, state: state() });
      }
      if (solvedAt === null && window.full && window.mean >= rl.solveThreshold) {
        solvedAt = episode;
        hooks.log(`solved at episode ${episode}: mean return ${window.mean.toFixed(1)} over the last ${rl.solveWindow} episodes (threshold ${rl.solveThreshold})`);
        if (rl.stopWhenSolved) {
          stopReason = 'solved';
          break;
        }
      }
    } finally {
      states.dispose();
    }
    await yieldNow();
    if (await hooks.shouldStop()) {
      stopReason = 'cancelled';
      hooks.log(`stopped on request after episode ${episode}`);
      break;
    }
  }
  return { policy, value, history, stopReason, lastEpoch, solvedAt, bestMeanReturn, state: state() };
}
