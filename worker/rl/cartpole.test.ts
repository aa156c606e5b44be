import { describe, expect, it } from 'vitest';
import { createRng } from '@/lib/random';
import { CARTPOLE, CartPole, cartPoleDynamics, isTerminal, type CartPoleState } from './cartpole';

// Expected values come from a line-by-line Python transcription of Gymnasium's
// classic_control/cartpole.py step() (Euler, float64).
describe('CartPole-v1 physics', () => {
  it('pushes a cart at rest exactly as Gym does', () => {
    // temp = 10 / 1.1; θ̈ = −temp / (0.5 · (4/3 − 0.1/1.1)); ẍ = temp − 0.05 · θ̈ / 1.1
    expect(cartPoleDynamics([0, 0, 0, 0], 1)).toEqual([0, 0.1951219512195122, 0, -0.2926829268292683]);
    expect(cartPoleDynamics([0, 0, 0, 0], 0)).toEqual([0, -0.1951219512195122, 0, 0.2926829268292683]);
  });

  it('follows a fixed action sequence from a fixed state', () => {
    let state: CartPoleState = [0.01, -0.02, 0.03, 0.04];
    for (const action of [1, 0, 0, 1, 1, 1, 0, 1, 0, 0]) state = cartPoleDynamics(state, action);
    const expected = [0.03293383706570074, -0.02379962460232901, 0.0054623041616948635, 0.12379799946559022];
    state.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
  });

  it('terminates when the pole passes 12° (always pushing right: 10 steps) and rewards every step', () => {
    const env = new CartPole();
    env.reset(createRng(1), [0.01, -0.02, 0.03, 0.04]);
    const rewards: number[] = [];
    let last;
    do {
      last = env.step(1);
      rewards.push(last.reward);
    } while (!last.terminated);
    expect(rewards).toEqual(new Array(10).fill(1));
    const expected = [0.18148412486073115, 1.9330643896994748, -0.2235691808247548, -2.984082745435586];
    last.observation.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 13));
    expect(last.truncated).toBe(false);
    expect(() => env.step(0)).toThrow('call reset() first');
  });

  it('uses strict thresholds: |x| > 2.4 or |θ| > 12° ends the episode', () => {
    const limit = CARTPOLE.thetaThreshold;
    expect(isTerminal([2.4, 0, 0, 0])).toBe(false);
    expect(isTerminal([2.4000001, 0, 0, 0])).toBe(true);
    expect(isTerminal([0, 0, -limit, 0])).toBe(false);
    expect(isTerminal([0, 0, -limit - 1e-9, 0])).toBe(true);
    expect(limit).toBeCloseTo((12 * Math.PI) / 180, 15);
  });

  it('truncates a balanced pole at 500 steps', () => {
    const env = new CartPole();
    let [, , theta, thetaDot] = env.reset(createRng(1), [0, 0, 0, 0]);
    let result;
    let steps = 0;
    do {
      // A simple balancing controller keeps the pole up for the whole episode.
      result = env.step(theta + 0.5 * thetaDot > 0 ? 1 : 0);
      [, , theta, thetaDot] = result.observation;
      steps++;
    } while (!result.terminated && !result.truncated);
    expect(steps).toBe(500);
    expect(result).toMatchObject({ terminated: false, truncated: true });
  });

  it('starts from seeded uniform states in [−0.05, 0.05]', () => {
    const a = new CartPole().reset(createRng(7));
    const b = new CartPole().reset(createRng(7));
    expect(a).toEqual(b);
    for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    expect(new CartPole().reset(createRng(8))).not.toEqual(a);
  });

  it('lasts about 22 steps under a uniformly random policy, as Gym does', () => {
    const rng = createRng(3);
    const env = new CartPole();
    let total = 0;
    for (let episode = 0; episode < 1000; episode++) {
      env.reset(rng);
      while (true) {
        total++;
        const r = env.step(rng.chance(0.5) ? 1 : 0);
        if (r.terminated || r.truncated) break;
      }
    }
    expect(total / 1000).toBeGreaterThan(20);
    expect(total / 1000).toBeLessThan(24);
  });
});
