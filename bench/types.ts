/**
 * The shape every benchmark reports, one row per target (issue 8: P1–P6, issue 11: P7).
 * `npm run bench` collects the rows of every bench/p*.ts module into bench/results/latest.json.
 */
export interface BenchResult {
  /** Target id: P1 … P7, with a suffix where one target has several rows (P5-cnn-wasm). */
  id: string;
  name: string;
  /** The measured figure. */
  value: number;
  unit: string;
  /** The target, in the same unit (or as a ratio when `ratio` is what is compared); null when there is none. */
  target: number | null;
  /** What the figure is compared with (COPY, bare model.fit, the cpu backend…); null when none. */
  baseline: number | null;
  /** value ÷ baseline (or the inverse where lower is better; the row's name says which). */
  ratio: number | null;
  /** Whether the target is met; null for rows that only inform (a skipped GPU row). */
  pass: boolean | null;
  /** Why a row was skipped or how it was measured, one line. */
  note?: string;
}

export interface BenchContext {
  /**
   * A fresh, migrated database of this benchmark's own (the harness creates it, sets
   * process.env.DATABASE_URL to it and drops it afterwards); more databases may be created on its server.
   */
  databaseUrl: string;
  /** Fewer repetitions / smaller sizes (for a smoke run); the full run is the default. */
  quick: boolean;
  log: (line: string) => void;
}

/** Each bench/p*.ts module's default export. */
export type Benchmark = (ctx: BenchContext) => Promise<BenchResult[]>;
