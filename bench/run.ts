/**
 * `npm run bench`: runs every bench/p*.ts module (P1, P2, …) in order, each against a fresh,
 * migrated database of its own on a real Postgres (DATABASE_URL's server, else an embedded one in
 * a temporary folder), prints one table and writes bench/results/latest.json (a list of
 * BenchResult). A benchmark that throws becomes a failed row with the error in `note`; the rest
 * still run.
 *
 *   npm run bench [-- --only P2,P3] [-- --quick]
 */
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { disconnectPrisma } from '@/lib/db/client';
import { prepareDatabase } from '@/lib/db/setup';
import { startEmbeddedPostgres } from '@/server/db/embedded-postgres';
import type { BenchResult, Benchmark } from './types';

const benchDir = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: string[]): { only: string[] | null; quick: boolean } {
  let only: string[] | null = null;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!v) usage('--only needs a list of ids, e.g. --only P2,P3');
      only = v
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean);
    } else if (a === '--help' || a === '-h') usage(null);
    else usage(`unknown option "${a}"`);
  }
  return { only, quick };
}

function usage(error: string | null): never {
  if (error) console.error(`bench: ${error}`);
  console.error('usage: npm run bench -- [--only P1,P2] [--quick]');
  process.exit(error ? 2 : 0);
}

/** bench/p2-ingestion.ts → P2 */
function idOfFile(file: string): string {
  return /^p(\d+)/i.exec(file)![0]!.toUpperCase();
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

export function formatTable(rows: BenchResult[]): string {
  const head = ['id', 'name', 'value', 'unit', 'target', 'baseline', 'ratio', 'pass'];
  const body = rows.map((r) => [r.id, r.name, fmt(r.value), r.unit, fmt(r.target), fmt(r.baseline), fmt(r.ratio), r.pass === null ? '–' : r.pass ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i !== 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  const notes = rows.filter((r) => r.note).map((r) => `${r.id}: ${r.note}`);
  return [...out, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

async function main() {
  const { only, quick } = parseArgs(process.argv.slice(2));
  const files = (await readdir(benchDir))
    .filter((f) => /^p\d+.*\.ts$/i.test(f) && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]) || a.localeCompare(b));
  const selected = only ? files.filter((f) => only.includes(idOfFile(f))) : files;
  if (only) {
    const missing = only.filter((id) => !files.some((f) => idOfFile(f) === id));
    if (missing.length) usage(`no benchmark ${missing.join(', ')} (have ${[...new Set(files.map(idOfFile))].join(', ')})`);
  }

  const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  let adminUrl: string;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let tmp: string | null = null;
  if (process.env.DATABASE_URL) {
    adminUrl = withDatabase(process.env.DATABASE_URL, 'postgres');
  } else {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'deepboard-bench-'));
    await chmod(tmp, 0o755);
    const db = await startEmbeddedPostgres({ dataDir: tmp, port: 20000 + Math.floor(Math.random() * 20000), database: 'postgres', log });
    stopEmbedded = db.stop;
    adminUrl = db.url;
    log(`no DATABASE_URL: embedded Postgres at ${db.url.replace(/:[^:@/]+@/, ':***@')}`);
  }
  const savedUrl = process.env.DATABASE_URL;
  const results: BenchResult[] = [];
  const started = Date.now();
  try {
    for (const file of selected) {
      const id = idOfFile(file);
      const name = `deepboard_bench_${id.toLowerCase()}_${Date.now().toString(36)}`;
      const t0 = Date.now();
      log(`${id}: ${file}`);
      try {
        await adminQuery(adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        const url = withDatabase(adminUrl, name);
        try {
          await prepareDatabase(url);
          process.env.DATABASE_URL = url;
          const mod = (await import(pathToFileURL(path.join(benchDir, file)).href)) as { default: Benchmark };
          if (typeof mod.default !== 'function') throw new Error(`${file} does not default-export a Benchmark`);
          const rows = await mod.default({ databaseUrl: url, quick, log: (l) => log(`${id}: ${l}`) });
          results.push(...rows);
          for (const r of rows) log(`${r.id}: ${fmt(r.value)} ${r.unit}${r.pass === null ? '' : r.pass ? ' (pass)' : ' (MISS)'}`);
        } finally {
          await disconnectPrisma().catch(() => {});
          if (savedUrl === undefined) delete process.env.DATABASE_URL;
          else process.env.DATABASE_URL = savedUrl;
          await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`).catch((e) => log(`could not drop ${name}: ${(e as Error).message}`));
          // Flush this benchmark's writes now (P3 writes 11 M points), not during the next one's
          // measurements. Needs a superuser or pg_checkpoint; skipped without.
          await adminQuery(adminUrl, 'CHECKPOINT').catch(() => {});
        }
      } catch (err) {
        const message = (
          ((err as Error).message ?? String(err))
            .split('\n')
            .filter((l) => l.trim())
            .pop() ?? String(err)
        ).slice(0, 300);
        log(`${id} failed: ${(err as Error).stack ?? message}`);
        results.push({ id, name: file.replace(/\.ts$/, ''), value: NaN, unit: '', target: null, baseline: null, ratio: null, pass: false, note: `failed: ${message}` });
      }
      log(`${id} took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    if (stopEmbedded) await stopEmbedded();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }

  const outDir = path.join(benchDir, 'results');
  await mkdir(outDir, { recursive: true });
  // JSON has no NaN: a failed row's value becomes null.
  await writeFile(path.join(outDir, 'latest.json'), `${JSON.stringify(results, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  console.log(formatTable(results));
  console.log(`\n${results.length} rows in ${((Date.now() - started) / 60000).toFixed(1)} min${quick ? ' (--quick)' : ''}; written to bench/results/latest.json`);
}

await main();
// Benchmarks leave pools and timers behind; the figures are written, so end here.
process.exit(0);
