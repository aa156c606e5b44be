import pg from 'pg';
import { METRICS_CHANNEL, RUNS_CHANNEL } from '@/lib/channels';
import { sql } from '@/lib/db/client';
import { env } from '@/lib/env';
import { failureStreak, ignoreError } from '@/lib/log';

/**
 * Runs-table answers kept per web server until something in their project changes.
 *
 * A runs-table query reads every run of a project and its metric summaries (tens of ms on 10 000
 * runs), and everyone looking at a project asks the same few of them every few seconds. Answers
 * are kept with the project's change counter; Postgres tells this server of every change over one
 * LISTEN connection — metric writes (deepboard_metrics), run rows and the names a table shows
 * (triggers on deepboard_changes; migration 20261127020000) — and a change bumps the counter,
 * so the next query recomputes. Concurrent identical queries share one computation.
 *
 * Nothing is kept while the LISTEN connection is down (and everything is dropped when it goes
 * down), so a missed notification can never leave a stale answer. An answer older than KEEP_MS
 * (when only time has moved: a running run's duration, a relative date in a filter) is served
 * once more while it is recomputed in the background, so no client waits for that. A change made through this
 * server is seen at once (every mutation it answers drops the cache); one made elsewhere (a
 * worker, another server) once its notification arrives, milliseconds after the commit.
 */

export const CHANGES_CHANNEL = 'deepboard_changes';
const KEEP_MS = 5_000;
const MAX_ENTRIES = 500;
// Learning a run's project only sharpens invalidation (everything was dropped already); while the database is down it fails on every notification.
const learning = failureStreak("learning a notified run's project for the runs-table cache");
// Without LISTEN the cache is bypassed (still correct), and reconnects are retried with backoff: logged once per outage.
const listening = failureStreak('listening for runs-table cache invalidations');

interface Entry {
  projectVersion: number;
  epoch: number;
  at: number;
  value: Promise<unknown>;
  refreshing?: boolean;
}

class SearchCache {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retryMs = 500;
  /** Bumped when everything must go (a rename, the LISTEN connection lost). */
  private epoch = 0;
  private versions = new Map<string, number>();
  private runProjects = new Map<string, string>();
  private entries = new Map<string, Entry>();
  /** Answers served from the cache and computed, for tests and diagnostics. */
  readonly stats = { hits: 0, misses: 0 };

  /** On in the web server (server/web/main.ts sets DEEPBOARD_SEARCH_CACHE=1 unless it is 0); off in scripts, the CLI and tests. */
  get enabled(): boolean {
    return env().DEEPBOARD_SEARCH_CACHE;
  }

  private bump(projectId: string) {
    this.versions.set(projectId, (this.versions.get(projectId) ?? 0) + 1);
  }

  private bumpAll() {
    this.epoch++;
    this.entries.clear();
  }

  private async projectOfRun(runId: string): Promise<string | null> {
    const known = this.runProjects.get(runId);
    if (known) return known;
    const [row] = await sql<{ projectId: string }>('SELECT "projectId" FROM "Run" WHERE id = $1', [runId], { name: 'run-project' });
    if (!row) return null;
    if (this.runProjects.size > 100_000) this.runProjects.clear();
    this.runProjects.set(runId, row.projectId);
    return row.projectId;
  }

  private onNotification(channel: string, payload: string | undefined) {
    try {
      const data = JSON.parse(payload ?? '{}') as { runId?: string; projects?: string[]; all?: boolean };
      if (channel === CHANGES_CHANNEL) {
        if (data.all) this.bumpAll();
        for (const p of data.projects ?? []) this.bump(p);
        return;
      }
      if (!data.runId) return;
      const known = this.runProjects.get(data.runId);
      if (known) this.bump(known);
      else {
        // Not yet known: drop everything now (correct at once), learn the run's project for next time.
        this.bumpAll();
        void learning.run(() => this.projectOfRun(data.runId!));
      }
    } catch {
      this.bumpAll();
    }
  }

  private async connect(): Promise<void> {
    const url = env().DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set');
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (msg) => this.onNotification(msg.channel, msg.payload));
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      listening.fail(err ?? new Error('the connection ended'));
      this.client = null;
      this.connecting = null;
      this.bumpAll();
      client.removeAllListeners();
      client.end().catch(ignoreError('the connection is already lost; ending it only frees the socket'));
      const wait = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
      setTimeout(() => void this.ensure(), wait).unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    await client.query(`LISTEN ${METRICS_CHANNEL}; LISTEN ${RUNS_CHANNEL}; LISTEN ${CHANGES_CHANNEL}`);
    listening.ok();
    // Anything computed before we listened may already be stale.
    this.bumpAll();
    this.client = client;
    this.retryMs = 500;
  }

  private ensure(): Promise<void> {
    this.connecting ??= this.connect().catch((err: unknown) => {
      this.connecting = null;
      listening.fail(err);
    });
    return this.connecting;
  }

  /** `compute()`'s answer for `key` in `projectId`, kept while the project does not change. */
  async get<T>(projectId: string, key: string, compute: () => Promise<T>): Promise<T> {
    if (!this.enabled) return compute();
    if (!this.client) {
      void this.ensure();
      return compute();
    }
    const now = Date.now();
    const version = this.versions.get(projectId) ?? 0;
    const k = `${projectId}\u0000${key}`;
    const hit = this.entries.get(k);
    if (hit && hit.projectVersion === version && hit.epoch === this.epoch) {
      this.stats.hits++;
      // Past its age but nothing changed: answer with it while one recomputation refreshes it
      // (only time moved: running runs' durations, relative dates in filters).
      if (now - hit.at >= KEEP_MS && !hit.refreshing) {
        hit.refreshing = true;
        const fresh: Entry = { projectVersion: version, epoch: this.epoch, at: now, value: compute() };
        fresh.value.then(
          () => {
            if (this.entries.get(k) === hit) this.entries.set(k, fresh);
          },
          () => {
            hit.refreshing = false;
          },
        );
      }
      return hit.value as Promise<T>;
    }
    this.stats.misses++;
    const entry: Entry = { projectVersion: version, epoch: this.epoch, at: now, value: compute() };
    // A failed computation is not kept.
    entry.value.catch(() => {
      if (this.entries.get(k) === entry) this.entries.delete(k);
    });
    this.entries.delete(k);
    this.entries.set(k, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return entry.value as Promise<T>;
  }

  /**
   * Drops everything at once: called after every mutation this server answers, so its own
   * writes are seen by the next query without waiting for their notification.
   */
  invalidateAll(): void {
    this.bumpAll();
  }

  /** For tests: wait until notifications are being received. */
  async ready(): Promise<boolean> {
    if (!this.enabled) return false;
    await this.ensure();
    return this.client !== null;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.connecting = null;
    this.bumpAll();
    if (c) {
      c.removeAllListeners();
      await c.end().catch(ignoreError('closing: the connection may already be gone'));
    }
  }
}

const g = globalThis as unknown as { __deepboardSearchCache?: SearchCache };
export function searchCache(): SearchCache {
  g.__deepboardSearchCache ??= new SearchCache();
  return g.__deepboardSearchCache;
}
