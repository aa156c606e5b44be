/**
 * CartPole-v1 as Gymnasium defines it (classic_control/cartpole.py, after Barto, Sutton &
 * Anderson 1983): a pole hinged on a cart that is pushed left or right with a fixed force.
 *
 * Same constants, the same Euler integration in float64, the same termination (|x| > 2.4 or
 * |θ| > 12°), reward 1 for every step including the terminating one, a start state drawn
 * uniformly from [−0.05, 0.05]⁴ and truncation after 500 steps (v1's TimeLimit). The start
 * state comes from the given seeded generator instead of NumPy's, so trajectories match Gym's
 * for the same start state and actions, not for the same seed number.
 */
import type { Rng } from '@/lib/random';

export const CARTPOLE = {
  gravity: 9.8,
  massCart: 1.0,
  massPole: 0.1,
  /** Half the pole's length, as in Gym. */
  length: 0.5,
  forceMag: 10.0,
  tau: 0.02,
  thetaThreshold: (12 * 2 * Math.PI) / 360,
  xThreshold: 2.4,
  maxSteps: 500,
} as const;

const TOTAL_MASS = CARTPOLE.massCart + CARTPOLE.massPole;
const POLE_MASS_LENGTH = CARTPOLE.massPole * CARTPOLE.length;

/** [x, ẋ, θ, θ̇]: cart position and velocity, pole angle (0 upright) and angular velocity. */
export type CartPoleState = [number, number, number, number];

export interface StepResult {
  observation: CartPoleState;
  reward: number;
  /** The pole fell or the cart left the track. */
  terminated: boolean;
  /** The step limit was reached with the pole still up. */
  truncated: boolean;
}

export const OBSERVATION_SIZE = 4;
export const ACTION_COUNT = 2;

/** One Euler step of the dynamics (action 0 pushes left, 1 right). */
export function cartPoleDynamics(state: CartPoleState, action: number): CartPoleState {
  const [x, xDot, theta, thetaDot] = state;
  const force = action === 1 ? CARTPOLE.forceMag : -CARTPOLE.forceMag;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
  const thetaAcc = (CARTPOLE.gravity * sin - cos * temp) / (CARTPOLE.length * (4.0 / 3.0 - (CARTPOLE.massPole * cos * cos) / TOTAL_MASS));
  const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
  return [x + CARTPOLE.tau * xDot, xDot + CARTPOLE.tau * xAcc, theta + CARTPOLE.tau * thetaDot, thetaDot + CARTPOLE.tau * thetaAcc];
}

export function isTerminal([x, , theta]: CartPoleState): boolean {
  return x < -CARTPOLE.xThreshold || x > CARTPOLE.xThreshold || theta < -CARTPOLE.thetaThreshold || theta > CARTPOLE.thetaThreshold;
}

export class CartPole {
  private state: CartPoleState | null = null;
  private steps = 0;
  private done = true;

  constructor(private readonly maxSteps: number = CARTPOLE.maxSteps) {}

  /** Starts an episode from a uniform random state in [−0.05, 0.05]⁴, or from `state`. */
  reset(rng: Rng, state?: CartPoleState): CartPoleState {
    this.state = state ? [...state] : [rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05)];
    this.steps = 0;
    this.done = false;
    return [...this.state];
  }

  step(action: number): StepResult {
    if (!this.state || this.done) throw new Error('the episode is over: call reset() first');
    if (action !== 0 && action !== 1) throw new Error(`CartPole has actions 0 and 1, not ${action}`);
    this.state = cartPoleDynamics(this.state, action);
    this.steps++;
    const terminated = isTerminal(this.state);
    const truncated = !terminated && this.steps >= this.maxSteps;
    this.done = terminated || truncated;
    return { observation: [...this.state], reward: 1, terminated, truncated };
  }

  get stepCount(): number {
    return this.steps;
  }
}
