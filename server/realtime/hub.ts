import { EventEmitter, on } from 'node:events';
import pg from 'pg';
import { METRICS_CHANNEL, RUNS_CHANNEL } from '@/lib/channels';
import { env } from '@/lib/env';
import { failureStreak, ignoreError } from '@/lib/log';

/**
 * Live updates for the web server: one LISTEN connection per process turns Postgres
 * notifications (sent by whichever process wrote the data: a worker, the REST API) into events
 * per run, which tRPC subscriptions stream to browsers over SSE. The connection reconnects with
 * backoff; a subscriber that connected during an outage simply refetches on its next event.
 */

export type RunEvent =
  | { type: 'metrics'; runId: string; series: string[] }
  | { type: 'run'; runId: string; status?: string; progress?: unknown }
  | { type: 'log'; runId: string }
  | { type: 'checkpoint-report'; runId: string; checkpointId: string };

// Live updates pause while the LISTEN connection is down; each outage is logged once, with its end.
const listening = failureStreak('listening for live run updates');

class RealtimeHub {
  private emitter = new EventEmitter();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retryMs = 500;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  private async connect(): Promise<void> {
    const url = env().DATABASE_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (msg) => {
      if (!msg.payload) return;
      try {
        const data = JSON.parse(msg.payload) as { runId?: string };
        if (!data.runId) return;
        const event: RunEvent =
          msg.channel === METRICS_CHANNEL ? { type: 'metrics', runId: data.runId, series: (data as { series?: string[] }).series ?? [] } : ({ ...(data as object), runId: data.runId } as RunEvent);
        this.emitter.emit(data.runId, event);
      } catch {
        // malformed payloads are ignored
      }
    });
    client.on('error', (err) => this.retry(err));
    client.on('end', () => this.retry(new Error('the connection ended')));
    await client.connect();
    await client.query(`LISTEN ${METRICS_CHANNEL}`);
    await client.query(`LISTEN ${RUNS_CHANNEL}`);
    listening.ok();
    this.client = client;
    this.retryMs = 500;
  }

  /** A lost or failed connection: logged once per outage, then retried with backoff. */
  private retry(err: unknown) {
    listening.fail(err);
    this.reconnect();
  }

  private reconnect() {
    const old = this.client;
    this.client = null;
    this.connecting = null;
    old?.removeAllListeners();
    old?.end().catch(ignoreError('the old connection is already lost; ending it only frees the socket'));
    if (this.emitter.eventNames().length === 0) return; // nobody listening: connect lazily later
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    setTimeout(() => void this.ensure().catch((err: unknown) => this.retry(err)), wait).unref();
  }

  async ensure(): Promise<void> {
    if (this.client) return;
    this.connecting ??= this.connect().catch((err) => {
      this.connecting = null;
      throw err;
    });
    await this.connecting;
  }

  /** Events for one run until the signal aborts. */
  async *subscribe(runId: string, signal?: AbortSignal): AsyncGenerator<RunEvent> {
    await this.ensure().catch((err: unknown) => this.retry(err));
    try {
      for await (const [event] of on(this.emitter, runId, { signal })) yield event as RunEvent;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
  }
}

const g = globalThis as unknown as { __deepboardHub?: RealtimeHub };
export function realtimeHub(): RealtimeHub {
  g.__deepboardHub ??= new RealtimeHub();
  return g.__deepboardHub;
}
