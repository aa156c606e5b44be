import { spawnSync } from 'node:child_process';
import os from 'node:os';
import type { PrismaClient } from '@prisma/client';
import { RUNS_CHANNEL } from '@/lib/channels';
import { heartbeatRun, recordProgress, type AttemptRef, type Rejected } from '@/lib/runs/lifecycle';
import { MetricBuffer, type MetricPointInput } from '@/lib/tracking/metrics';

/**
 * What a running attempt streams to Postgres besides its result: logs and metrics (buffered),
 * system metrics, progress, and the heartbeat that keeps the run claimed and tells the worker of
 * a cancel request — or that its attempt was superseded (reaped and queued again), after which
 * it stops and writes nothing more about the run's state.
 */

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** Run logs, written in batches every half second. A failed write keeps the lines for the next flush. */
export class LogBuffer {
  private lines: { level: string; message: string; time: Date }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private failing = false;
  constructor(
    private prisma: PrismaClient,
    private runId: string,
    private echo: (l: string) => void,
  ) {}
  add(message: string, level = 'info') {
    this.echo(message);
    this.lines.push({ level, message: message.slice(0, 10_000), time: new Date() });
    this.timer ??= setTimeout(() => void this.flush(), 500);
  }
  async flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const lines = this.lines;
    this.lines = [];
    if (!lines.length) return;
    try {
      await this.prisma.runLog.createMany({ data: lines.map((l) => ({ runId: this.runId, ...l })) });
      this.failing = false;
    } catch (err) {
      this.lines.unshift(...lines);
      // Once per streak of failures, not once per flush.
      if (!this.failing) this.echo(`run ${this.runId}: storing ${lines.length} log line(s) failed, will retry: ${firstLine(err)}`);
      this.failing = true;
      return;
    }
    try {
      await this.prisma.$executeRaw`SELECT pg_notify(${RUNS_CHANNEL}, ${JSON.stringify({ runId: this.runId, type: 'log' })})`;
    } catch (err) {
      this.echo(`run ${this.runId}: notifying new log lines failed: ${firstLine(err)}`);
    }
  }
}

export function gpuStats(): { util: number; memoryMb: number } | null {
  const r = spawnSync('nvidia-smi', ['--query-gpu=utilization.gpu,memory.used', '--format=csv,noheader,nounits'], { encoding: 'utf8', timeout: 2000 });
  if (r.status !== 0 || !r.stdout) return null;
  const [util, mem] = r.stdout
    .trim()
    .split('\n')[0]!
    .split(',')
    .map((v) => Number(v.trim()));
  return Number.isFinite(util) && Number.isFinite(mem) ? { util: util!, memoryMb: mem! } : null;
}

export class RunTelemetry {
  readonly logs: LogBuffer;
  readonly metrics: MetricBuffer;
  /** A cancel request seen on the row by the heartbeat. */
  cancelPolled = false;
  /** Why this attempt lost the run (set by a rejected heartbeat, progress or checkpoint); it then stops. */
  lost: Rejected | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private system: NodeJS.Timeout | null = null;
  private heartbeatFailing = false;

  constructor(
    private prisma: PrismaClient,
    private ref: AttemptRef,
    private echo: (line: string) => void,
    runNumber: number,
  ) {
    this.logs = new LogBuffer(prisma, ref.runId, (l) => echo(`[run ${runNumber}] ${l}`));
    this.metrics = new MetricBuffer(prisma, ref.runId, { onError: (err) => echo(`metric write failed, will retry: ${firstLine(err)}`) });
  }

  /** Records that the attempt was superseded (the first rejection is logged). */
  supersededBy(r: Rejected) {
    if (this.lost) return;
    this.lost = r;
    this.logs.add(
      `attempt ${this.ref.attempt + 1} no longer owns the run (${r.reason}; the run is ${r.current?.status ?? 'gone'} at attempt ${(r.current?.attempt ?? 0) + 1}); stopping without writing its state`,
      'warn',
    );
  }

  start(heartbeatMs = 2000) {
    this.heartbeat = setInterval(() => void this.beat(), heartbeatMs);
    const started = Date.now();
    let lastCpu = process.cpuUsage();
    let lastWall = Date.now();
    this.system = setInterval(() => {
      const cpu = process.cpuUsage(lastCpu);
      const now = Date.now();
      const t = Math.round((now - started) / 1000);
      const points: MetricPointInput[] = [
        { key: 'cpu_percent', context: 'system', step: t, value: ((cpu.user + cpu.system) / 1000 / Math.max(1, now - lastWall) / os.cpus().length) * 100 },
        { key: 'memory_mb', context: 'system', step: t, value: process.memoryUsage().rss / 1024 / 1024 },
      ];
      const gpu = gpuStats();
      if (gpu) points.push({ key: 'gpu_util', context: 'system', step: t, value: gpu.util }, { key: 'gpu_memory_mb', context: 'system', step: t, value: gpu.memoryMb });
      lastCpu = process.cpuUsage();
      lastWall = now;
      this.metrics.add(...points);
    }, 5000);
  }

  private async beat() {
    if (this.lost) return;
    try {
      const r = await heartbeatRun(this.prisma, this.ref);
      if (this.heartbeatFailing) this.echo(`run ${this.ref.runId}: heartbeat stored again`);
      this.heartbeatFailing = false;
      if (r.ok) this.cancelPolled = r.cancelRequested;
      else this.supersededBy(r);
    } catch (err) {
      // A database hiccup: the reaper allows many missed beats. Said once per streak.
      if (!this.heartbeatFailing) this.echo(`run ${this.ref.runId}: heartbeat failed, will retry: ${firstLine(err)}`);
      this.heartbeatFailing = true;
    }
  }

  /** Progress of the run's `epochs` epochs (or episodes), with an ETA from the last epoch's time. */
  progressOf(epochs: number) {
    let epochStarted = Date.now();
    return async (epoch: number, extra: Record<string, unknown> = {}) => {
      const perEpoch = Date.now() - epochStarted;
      epochStarted = Date.now();
      const progress = { epoch, epochs, fraction: Math.min(1, epoch / epochs), etaSeconds: Math.round(((epochs - epoch) * perEpoch) / 1000), ...extra };
      try {
        const r = await recordProgress(this.prisma, { ...this.ref, progress });
        if (!r.ok) this.supersededBy(r);
      } catch (err) {
        this.echo(`run ${this.ref.runId}: storing progress of epoch ${epoch} failed: ${firstLine(err)}`);
      }
    };
  }

  stop() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.system) clearInterval(this.system);
    this.heartbeat = this.system = null;
  }
}
