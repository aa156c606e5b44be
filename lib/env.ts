/**
 * Every environment variable Deepboard reads, declared once: its type, default, accepted range and
 * a one-line description (the README's configuration table is generated from this list:
 * `npm run docs:env`). Each process validates them all when it starts (`validateEnv()`: the CLI
 * before any command, the web server, the worker), so a bad value stops it with one line naming
 * the variable instead of, say, `Number('512MB')` silently turning a size cap into NaN.
 *
 * Code reads settings through `env()`, never `process.env`. Values are parsed per variable and
 * memoised by their raw string, so a process that sets a variable itself (tests, benchmarks,
 * `deepboard train` pointing the Prisma client at the database it opened) is seen at the next
 * read, and a hot path (the Prisma proxy reads DATABASE_URL on every query) pays one lookup.
 *
 * Left out on purpose: NODE_ENV and NEXT_RUNTIME are Next's, read where Next inlines them
 * statically (a client component must not import this module); prisma.config.ts and the dev
 * scripts bin/prisma-generate.mjs and bin/new-migration.mjs only hand DATABASE_URL (or a
 * placeholder) to Prisma's CLI; test and benchmark variables (TEST_DATABASE_URL, CHROMIUM_PATH,
 * BENCH_PORT, E2E_*, CHAOS_*) belong to their harnesses.
 */
import { z } from 'zod';
import { InvalidInputError } from './errors';
import { BACKEND_NAMES, type BackendName } from './schemas/backends';

/** A bad setting. Its message is one line naming each bad variable; the CLI exits with code 2 (invalid input). */
export class SettingsError extends InvalidInputError {
  readonly exitCode = 2;
  constructor(readonly problems: { name: string; message: string }[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'SettingsError';
  }
}

export type SettingKind = 'integer' | 'port' | 'flag' | 'enum' | 'url' | 'string' | 'path';

export interface Setting<T> {
  kind: SettingKind;
  /** The parser: the raw string (undefined when unset) to the value, or an issue saying what was expected. */
  schema: z.ZodType<T, string | undefined>;
  /** The default as the README shows it (markdown). */
  defaultText: string;
  /** Accepted values as the README shows them (markdown). */
  accepts: string;
  /** One line for the README. */
  description: string;
  /** Holds a password or secret: an error never repeats the value. */
  secret?: boolean;
  /** Integers: the smallest and largest accepted value (the settings test takes bad values from these). */
  range?: { min: number; max: number };
}

const FLAG_ON = ['1', 'true', 'on', 'yes'];
const FLAG_OFF = ['0', 'false', 'off', 'no'];

interface IntegerOptions {
  min: number;
  max: number;
  /** e.g. 'megabytes', 'milliseconds'. */
  unit: string;
  description: string;
  defaultText?: string;
  /** The error's wording, when "a whole number of <unit>" reads badly. */
  expected?: string;
  accepts?: string;
}

/**
 * A whole number in [min, max]. Strict: digits only, so `512MB`, `4mb`, `1e400`, `-1`, ` 5` and
 * the empty string are errors rather than NaN, Infinity or a silently different number.
 */
function integer(o: IntegerOptions & { default: number }): Setting<number>;
function integer(o: IntegerOptions & { default?: undefined }): Setting<number | undefined>;
function integer(o: IntegerOptions & { default?: number }): Setting<number | undefined> {
  const expected = o.expected ?? `expected a whole number of ${o.unit} between ${o.min} and ${o.max}`;
  return {
    kind: 'integer',
    schema: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) return o.default;
        const n = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
        if (!Number.isSafeInteger(n) || n < o.min || n > o.max) {
          ctx.addIssue({ code: 'custom', message: expected });
          return z.NEVER;
        }
        return n;
      }),
    defaultText: o.defaultText ?? `\`${o.default}\``,
    accepts: o.accepts ?? `whole number of ${o.unit}, ${o.min} to ${o.max}`,
    description: o.description,
    range: { min: o.min, max: o.max },
  };
}

function port(o: { default: number; description: string }): Setting<number> {
  return { ...integer({ ...o, min: 1, max: 65535, unit: 'port', expected: 'expected a port number between 1 and 65535', accepts: 'port, 1 to 65535' }), kind: 'port' };
}

/** On/off: 1/0, true/false, on/off, yes/no (any case); unset or empty is the default. */
function flag(o: { default: boolean; description: string; defaultText?: string }): Setting<boolean> {
  return {
    kind: 'flag',
    schema: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined || raw === '') return o.default;
        const v = raw.trim().toLowerCase();
        if (FLAG_ON.includes(v)) return true;
        if (FLAG_OFF.includes(v)) return false;
        ctx.addIssue({ code: 'custom', message: 'expected 1 or 0 (also on/off, true/false, yes/no)' });
        return z.NEVER;
      }),
    defaultText: o.defaultText ?? (o.default ? 'on' : 'off'),
    accepts: '`1` / `0` (or on/off, true/false, yes/no)',
    description: o.description,
  };
}

function oneOf<const V extends string>(o: { values: readonly V[]; default: V; description: string }): Setting<V> {
  return {
    kind: 'enum',
    schema: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined || raw.trim() === '') return o.default;
        const v = raw.trim().toLowerCase();
        if ((o.values as readonly string[]).includes(v)) return v as V;
        ctx.addIssue({ code: 'custom', message: `expected one of ${o.values.join(', ')}` });
        return z.NEVER;
      }),
    defaultText: `\`${o.default}\``,
    accepts: o.values.map((v) => `\`${v}\``).join(', '),
    description: o.description,
  };
}

/** A URL with one of the given schemes; unset or empty means unset. */
function url(o: { protocols: string[]; description: string; defaultText: string; secret?: boolean }): Setting<string | undefined> {
  const expected = `expected a ${o.protocols.map((p) => `${p}//`).join(' or ')} URL`;
  return {
    kind: 'url',
    schema: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined || raw === '') return undefined;
        let parsed: URL | null = null;
        try {
          parsed = new URL(raw);
        } catch {
          // reported below
        }
        if (!parsed || !o.protocols.includes(parsed.protocol)) {
          ctx.addIssue({ code: 'custom', message: expected });
          return z.NEVER;
        }
        return raw;
      }),
    defaultText: o.defaultText,
    accepts: o.protocols.map((p) => `\`${p}//…\``).join(', '),
    description: o.description,
    secret: o.secret,
  };
}

/** Free text; unset or empty means unset (or the default). */
function text(o: { default: string; description: string; kind?: 'string' | 'path'; accepts?: string; defaultText?: string; secret?: boolean }): Setting<string>;
function text(o: { default?: undefined; description: string; kind?: 'string' | 'path'; accepts?: string; defaultText: string; secret?: boolean }): Setting<string | undefined>;
function text(o: { default?: string; description: string; kind?: 'string' | 'path'; accepts?: string; defaultText?: string; secret?: boolean }): Setting<string | undefined> {
  return {
    kind: o.kind ?? 'string',
    schema: z
      .string()
      .optional()
      .transform((raw) => (raw === undefined || raw === '' ? o.default : raw)),
    defaultText: o.defaultText ?? `\`${o.default}\``,
    accepts: o.accepts ?? (o.kind === 'path' ? 'folder path' : 'text'),
    description: o.description,
    secret: o.secret,
  };
}

/**
 * The settings, in the README's order. Descriptions are the README's wording. Ranges: generous
 * bounds that catch typos (a size in bytes where megabytes are meant) without ruling out a real
 * deployment; tests shorten the timing ones (a 300 ms heartbeat).
 */
export const SETTINGS = {
  DATABASE_URL: url({
    protocols: ['postgresql:', 'postgres:'],
    defaultText: 'unset: embedded PostgreSQL',
    description: 'a PostgreSQL server to use instead; nothing embedded starts',
    secret: true,
  }),
  DATABASE_POOL_SIZE: integer({
    default: 10,
    min: 1,
    max: 1000,
    unit: 'connections',
    description: "connections in each process's database pool (the Prisma client and the plain-SQL hot paths share it)",
  }),
  DEEPBOARD_DATA_DIR: text({
    default: '.deepboard',
    kind: 'path',
    defaultText: '`./.deepboard`',
    description: "Deepboard's own state: the embedded database (`postgres/`, its log and password), the generated `auth-secret`",
  }),
  DEEPBOARD_ARTIFACTS_DIR: text({ kind: 'path', defaultText: '`$DEEPBOARD_DATA_DIR/artifacts`', description: 'where dataset files, checkpoints and report files are stored' }),
  DEEPBOARD_ROOT: text({
    kind: 'path',
    defaultText: 'the installation folder',
    description: 'the folder holding package.json and prisma/ (set by `bin/deepboard.mjs` and `bin/web.mjs`; the working directory otherwise)',
  }),
  DEEPBOARD_PG_PORT: port({ default: 54329, description: 'port of the embedded database (listens on 127.0.0.1 only, password auth)' }),
  PORT: port({ default: 3000, description: 'port of the web app' }),
  HOSTNAME_BIND: text({ defaultText: 'unset: all interfaces', accepts: 'host name or address', description: 'address `deepboard start` binds the web app to (its `-H`)' }),
  AUTH_SECRET: text({ defaultText: 'generated into the data folder', secret: true, description: 'secret that signs session cookies; set it when running several web servers' }),
  AUTH_URL: url({ protocols: ['http:', 'https:'], defaultText: '`http://localhost:$PORT`', description: 'public URL, used in invitation links that are logged or e-mailed' }),
  DEEPBOARD_URL: url({ protocols: ['http:', 'https:'], defaultText: 'unset', description: 'the public URL when `AUTH_URL` is not set' }),
  SMTP_URL: url({
    protocols: ['smtp:', 'smtps:'],
    defaultText: 'unset',
    secret: true,
    description: 'e.g. `smtp://user:pass@mail.example.org:587`: invitations are then e-mailed as well as shown',
  }),
  SMTP_FROM: text({ default: 'Deepboard <deepboard@localhost>', accepts: 'e-mail address', description: 'sender of the invitation e-mails' }),
  INVITATION_TTL_HOURS: integer({ default: 168, min: 1, max: 8760, unit: 'hours', description: 'how long an invitation link stays valid' }),
  DEEPBOARD_BACKEND: oneOf({
    values: ['auto', ...BACKEND_NAMES] as readonly ('auto' | BackendName)[],
    default: 'auto',
    description: 'backends a worker loads: `auto` loads every one that loads here (node-gpu → webgpu → node → wasm → cpu) and autotunes each run among them; one name pins the worker to it',
  }),
  DEEPBOARD_WEBGPU: flag({ default: true, description: '`0` skips the WebGPU adapter probe' }),
  XDG_RUNTIME_DIR: text({ kind: 'path', defaultText: 'the system temp folder', description: "runtime folder handed to the WebGPU probe's child process" }),
  DEEPBOARD_WORKER_NAME: text({ defaultText: '`HOST:PID`', description: "a worker's name as the workers page shows it (`deepboard worker --name` sets it)" }),
  DEEPBOARD_HEARTBEAT_MS: integer({ default: 5000, min: 100, max: 600_000, unit: 'milliseconds', description: 'how often a worker writes its heartbeat to its row on the workers page' }),
  DEEPBOARD_WORKER_LOST_MS: integer({ default: 30_000, min: 1000, max: 86_400_000, unit: 'milliseconds', description: 'a worker whose last heartbeat is older than this counts as offline' }),
  DEEPBOARD_MAX_BODY_MB: integer({ default: 4, min: 1, max: 1024, unit: 'megabytes', description: 'largest request body the tRPC and REST endpoints read (413 beyond it)' }),
  DEEPBOARD_MAX_UPLOAD_MB: integer({
    default: 512,
    min: 1,
    max: 102_400,
    unit: 'megabytes',
    description: 'largest dataset upload (413 beyond it; zips are also checked for zip-slip paths and zip bombs)',
  }),
  DEEPBOARD_RUN_STALE_MS: integer({
    default: 20_000,
    min: 1000,
    max: 86_400_000,
    unit: 'milliseconds',
    description: 'a running run whose worker has not heartbeated for this long is queued again (resumes from its last checkpoint) or, after its attempts, failed with the reason',
  }),
  DEEPBOARD_SEED: flag({ default: true, defaultText: '`1`', description: '`0` skips the demo team on first start' }),
  DEEPBOARD_WEB_PROCESSES: integer({ min: 1, max: 64, unit: 'processes', defaultText: 'cores − 1 (1 to 4)', description: 'copies of the web server sharing its port (each answers on one core)' }),
  DEEPBOARD_DIRECT_API: flag({ default: true, description: "`0` sends API-key REST calls through Next's pipeline instead of the direct path" }),
  DEEPBOARD_SEARCH_CACHE: flag({ default: false, defaultText: 'on in the web server', description: '`0` recomputes every runs-table query instead of keeping answers until the project changes' }),
  DEEPBOARD_TEAM: text({ defaultText: 'the first team', accepts: 'team slug', description: 'team `deepboard train` works in when `--team` is not given' }),
  DEEPBOARD_DEBUG: flag({ default: false, description: '`1` makes the CLI print stack traces and the in-process worker of `deepboard train` its log' }),
  npm_package_version: text({ defaultText: 'set by npm', accepts: 'version', description: 'the version `/api/health` reports (npm sets it when it runs a package script)' }),
} satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { readonly [K in SettingName]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never };
type Source = Record<string, string | undefined>;

/** Control characters escaped so the message stays one line. */
function shown(raw: string): string {
  if (raw === '') return '(empty)';
  const escaped = raw.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > 80 ? `${escaped.slice(0, 80)}…` : escaped;
}

function problemOf(name: SettingName, raw: string | undefined): { name: string; message: string; value?: never } | { value: unknown } {
  const setting: Setting<unknown> = SETTINGS[name];
  const result = setting.schema.safeParse(raw);
  if (result.success) return { value: result.data };
  const what = result.error.issues[0]?.message ?? 'invalid value';
  // e.g. `DEEPBOARD_MAX_UPLOAD_MB=512MB: expected a whole number of megabytes between 1 and 102400`
  return { name, message: setting.secret ? `${name}: ${what} (value not shown)` : `${name}=${shown(raw ?? '')}: ${what}` };
}

/** Parses one variable, throwing SettingsError when its value is bad. */
export function parseSetting<K extends SettingName>(name: K, raw: string | undefined): Settings[K] {
  const r = problemOf(name, raw);
  if ('value' in r) return r.value as Settings[K];
  throw new SettingsError([r]);
}

const views = new WeakMap<object, Settings>();

/**
 * The settings of `source` (default `process.env`) as a typed object whose properties parse their
 * variable on read, memoised by its raw value.
 */
export function settingsFrom(source: Source = process.env): Settings {
  let view = views.get(source);
  if (view) return view;
  const fresh = {} as Settings;
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    let memo: { raw: string | undefined; value: unknown } | null = null;
    Object.defineProperty(fresh, name, {
      enumerable: true,
      get() {
        const raw = source[name];
        if (memo && memo.raw === raw) return memo.value;
        const value = parseSetting(name, raw);
        memo = { raw, value };
        return value;
      },
    });
  }
  view = Object.freeze(fresh);
  views.set(source, view);
  return view;
}

/** This process's settings (from `process.env`). */
export function env(): Settings {
  return settingsFrom(process.env);
}

/** Forgets the memoised values (tests that swap `process.env` itself). */
export function resetEnv(source: Source = process.env): void {
  views.delete(source);
}

/**
 * Checks every variable at once: what each process calls when it starts. Throws one
 * SettingsError naming every bad variable.
 */
export function validateEnv(source: Source = process.env): Settings {
  const problems = (Object.keys(SETTINGS) as SettingName[]).flatMap((name) => {
    const r = problemOf(name, source[name]);
    return 'value' in r ? [] : [r];
  });
  if (problems.length) throw new SettingsError(problems);
  return settingsFrom(source);
}

/** Settings whose value is a whole number (ports included), for tests that try bad values on each. */
export function numericSettings(): { name: SettingName; min: number; max: number }[] {
  return (Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]).flatMap(([name, s]) => (s.range ? [{ name, ...s.range }] : []));
}

/** The README's configuration table (between its `settings` markers), generated from SETTINGS. */
export function settingsTable(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = (Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]).map(([name, s]) => `| \`${name}\` | ${cell(s.defaultText)} | ${cell(s.accepts)} | ${cell(s.description)} |`);
  return ['| variable | default | accepted | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
