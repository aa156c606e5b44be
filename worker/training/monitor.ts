/**
 * Watches one logged value across epochs: the shared core of early stopping and keep-best
 * checkpoints (Keras's EarlyStopping and ModelCheckpoint(save_best_only) semantics).
 */
import { monitorDirection, type MonitorMode } from '@/lib/schemas/runs';
import type { Logs, MonitorState } from './hooks';

export class Monitor {
  readonly direction: 'min' | 'max';
  private resolved: string | null = null;
  state: MonitorState = { best: null, bestEpoch: null, wait: 0 };

  constructor(
    readonly monitor: string,
    mode: MonitorMode,
    private readonly minDelta = 0,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.direction = monitorDirection(monitor, mode);
  }

  /**
   * The key to read: the monitor, or its training counterpart (val_loss → loss) when the logs
   * have no validation values, said once in the log.
   */
  private key(logs: Logs): string | null {
    if (this.resolved && this.resolved in logs) return this.resolved;
    if (this.monitor in logs) return (this.resolved = this.monitor);
    const fallback = this.monitor.replace(/^val_/, '');
    if (fallback !== this.monitor && fallback in logs) {
      this.log(`${this.monitor} is not logged (no validation data); watching ${fallback} instead`);
      return (this.resolved = fallback);
    }
    return null;
  }

  /** Records an epoch's logs; true when the value improved by more than minDelta. */
  update(epoch: number, logs: Logs): { improved: boolean; value: number | null } {
    const key = this.key(logs);
    if (key === null) return { improved: false, value: null };
    const value = logs[key]!;
    const { best } = this.state;
    const improved = best === null || (this.direction === 'min' ? value < best - this.minDelta : value > best + this.minDelta);
    if (improved) this.state = { best: value, bestEpoch: epoch, wait: 0 };
    else this.state = { ...this.state, wait: this.state.wait + 1 };
    return { improved, value };
  }
}
