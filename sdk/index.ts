/**
 * Deepboard's TypeScript SDK: log runs trained anywhere (Node, Bun, Deno, browsers) into a
 * Deepboard server. Plain TypeScript over fetch, no dependencies; request types come from the
 * server's own zod schemas (type-only imports, erased at runtime).
 *
 *   const db = new Deepboard({ url: 'http://localhost:3000', apiKey: process.env.DEEPBOARD_API_KEY! });
 *   const run = await db.createRun({ project: 'vision', name: 'resnet-18', params: { lr: 0.01 } });
 *   for (…) run.logMetrics({ loss, val_accuracy }, epoch);   // buffered, sent in batches
 *   await run.uploadPredictions({ task: 'binary', labels, scores, sensitive: { sex } });
 *   await run.finish();                                        // flushes, then FINISHED
 */
import type { CreateExternalRunInput, LogBatchInput, UploadPredictionsInput } from '../lib/schemas/external-runs';

export type MetricContext = 'train' | 'validation' | 'test' | 'system';
export type ParamValue = string | number | boolean;
export type FinalStatus = 'FINISHED' | 'FAILED' | 'KILLED';

export interface DeepboardOptions {
  /** The server, e.g. http://localhost:3000 */
  url: string;
  /** A key from Settings → API keys (dbk_…). */
  apiKey: string;
  /** Metrics are sent when this many are buffered… (default 1000) */
  maxBatch?: number;
  /** …or this long after the first buffered one (default 2000 ms). */
  flushIntervalMs?: number;
  /** Retries of a failed request (network errors, 429 and 5xx), with backoff (default 3). */
  retries?: number;
  fetch?: typeof fetch;
}

/** A 4xx/5xx answer: `field` names the request field at fault when the server knows it. */
export class DeepboardError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'DeepboardError';
  }
}

export interface RunInfo {
  id: string;
  number: number;
  name: string;
  status: string;
  project: string;
}

type Metric = NonNullable<LogBatchInput['metrics']>[number];

/** JSON has no NaN or Infinity: the API takes them as strings. */
const wire = (v: number): number | 'NaN' | 'Infinity' | '-Infinity' => (Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Deepboard {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;

  constructor(readonly options: DeepboardOptions) {
    if (!options.url) throw new Error('Deepboard: url is required');
    if (!options.apiKey) throw new Error('Deepboard: apiKey is required (create one under Settings → API keys)');
    this.base = options.url.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** One API call; retries what is worth retrying; throws DeepboardError on a 4xx/5xx. */
  async request<T = unknown>(method: string, path: string, body?: unknown, raw?: { data: Uint8Array | string; contentType?: string }): Promise<T> {
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchFn(this.base + path, {
          method,
          headers: {
            authorization: `Bearer ${this.options.apiKey}`,
            ...(raw ? { 'content-type': raw.contentType ?? 'application/octet-stream' } : body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: raw ? (raw.data as BodyInit) : body !== undefined ? JSON.stringify(body) : undefined,
        });
      } catch (err) {
        if (attempt < retries) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        throw new DeepboardError(`Deepboard: cannot reach ${this.base} (${(err as Error).message})`, 0, 'NETWORK_ERROR');
      }
      if ((res.status === 429 || res.status >= 500) && attempt < retries) {
        await sleep(250 * 2 ** attempt);
        continue;
      }
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      if (!res.ok) {
        const e = (parsed as { error?: { message?: string; code?: string; field?: string | null } } | null)?.error;
        throw new DeepboardError(e?.message ?? `HTTP ${res.status}: ${String(text).slice(0, 200)}`, res.status, e?.code ?? `HTTP_${res.status}`, e?.field ?? null);
      }
      return parsed as T;
    }
  }

  /** Creates an external run (status RUNNING) in a project of the key's team. */
  async createRun(input: Omit<CreateExternalRunInput, 'tags'> & { tags?: Record<string, string> }): Promise<Run> {
    const { tags, ...rest } = input;
    const info = await this.request<RunInfo>('POST', '/api/v1/runs', { ...rest, tags: tags ? Object.entries(tags).map(([key, value]) => ({ key, value })) : undefined });
    return new Run(this, info);
  }

  /** A handle on an existing run (e.g. to resume logging from another process). */
  async getRun(runId: string): Promise<Run> {
    const info = await this.request<RunInfo & { project: { slug: string } }>('GET', `/api/v1/runs/${encodeURIComponent(runId)}`);
    return new Run(this, { ...info, project: info.project.slug });
  }

  /** The runs table's search over a project: `metrics.val_accuracy > 0.9 and params.lr = 0.01`. */
  searchRuns(input: { project: string; query?: string; sort?: Array<{ field: string; dir?: 'asc' | 'desc' }>; page?: number; pageSize?: number }) {
    return this.request<{
      total: number;
      rows: Array<{ id: string; number: number; name: string; status: string; params: Record<string, unknown>; metrics: Record<string, { last: number | null }> }>;
    }>('POST', '/api/v1/runs/search', input);
  }
}

export class Run {
  readonly id: string;
  readonly number: number;
  readonly name: string;
  private buffer: Metric[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending: Promise<void> = Promise.resolve();
  /** A background flush that failed: reported by the next flush() or finish(). */
  private failure: unknown = null;

  constructor(
    private readonly client: Deepboard,
    info: RunInfo,
  ) {
    this.id = info.id;
    this.number = info.number;
    this.name = info.name;
  }

  private path(suffix = '') {
    return `/api/v1/runs/${encodeURIComponent(this.id)}${suffix}`;
  }

  /**
   * Buffers metric values at a step (`{ loss: 0.3, val_accuracy: 0.9 }`); they are sent in
   * batches. Names follow the runs table: `val_x` is x on the validation split, `test_x` on the
   * test split. Re-sending a step is harmless: the server keeps one value per metric and step.
   */
  logMetrics(values: Record<string, number>, step = 0, opts: { context?: MetricContext; timestamp?: number } = {}): void {
    const timestamp = opts.timestamp ?? Date.now();
    for (const [key, value] of Object.entries(values)) {
      this.buffer.push({ key, value: wire(value), step, timestamp, ...(opts.context ? { context: opts.context } : {}) });
    }
    const max = this.client.options.maxBatch ?? 1000;
    if (this.buffer.length >= max) void this.send().catch(() => {});
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.send().catch(() => {}), this.client.options.flushIntervalMs ?? 2000);
      // Never keep a process alive just to flush: finish() sends what is left.
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  logMetric(key: string, value: number, step = 0, opts: { context?: MetricContext; timestamp?: number } = {}): void {
    this.logMetrics({ [key]: value }, step, opts);
  }

  private send(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const max = this.client.options.maxBatch ?? 1000;
    this.sending = this.sending.then(async () => {
      while (this.buffer.length) {
        const batch = this.buffer.splice(0, max);
        try {
          await this.client.request('POST', this.path('/log-batch'), { metrics: batch });
        } catch (err) {
          if (!(err instanceof DeepboardError) || err.status === 0 || err.status >= 500) this.buffer.unshift(...batch);
          this.failure = err;
          throw err;
        }
      }
    });
    return this.sending;
  }

  /** Sends every buffered metric; throws if a batch (now or in the background) was refused. */
  async flush(): Promise<void> {
    const previous = this.failure;
    this.failure = null;
    await this.send();
    if (previous) throw previous;
  }

  /** Params are write-once: logging a key again with another value is an error. */
  async logParams(params: Record<string, ParamValue>): Promise<void> {
    await this.client.request('POST', this.path('/log-batch'), { params: Object.entries(params).map(([key, value]) => ({ key, value })) });
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    await this.client.request('POST', this.path('/log-batch'), { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
  }

  /** Test-set predictions: the run gets an evaluation and, with sensitive attributes, a fairness report. */
  uploadPredictions(input: UploadPredictionsInput) {
    return this.client.request<{ examples: number; metrics: Record<string, number>; fairness: { summary: Record<string, Record<string, number | null>> } | null }>(
      'POST',
      this.path('/predictions'),
      input,
    );
  }

  uploadArtifact(path: string, data: Uint8Array | string, contentType?: string) {
    return this.client.request<{ path: string; size: number }>('PUT', this.path(`/artifacts/${path.split('/').map(encodeURIComponent).join('/')}`), undefined, { data, contentType });
  }

  /** Every point of one metric, following the pages. */
  async metricHistory(key: string, opts: { context?: MetricContext } = {}): Promise<Array<{ step: number; value: number; timestamp: number }>> {
    const out: Array<{ step: number; value: number; timestamp: number }> = [];
    let after = -1;
    for (;;) {
      const q = new URLSearchParams({ key, afterStep: String(after), limit: '25000', ...(opts.context ? { context: opts.context } : {}) });
      const page = await this.client.request<{ points: Array<{ step: number; value: number | string; timestamp: number }>; nextAfterStep: number | null }>('GET', this.path(`/metric-history?${q}`));
      out.push(...page.points.map((p) => ({ ...p, value: Number(p.value) })));
      if (page.nextAfterStep === null) return out;
      after = page.nextAfterStep;
    }
  }

  /** Flushes, then ends the run (FINISHED by default; FAILED with an error message). */
  async finish(status: FinalStatus = 'FINISHED', error?: string): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.client.request('PATCH', this.path(), { status, ...(error ? { error } : {}) });
    }
  }
}
