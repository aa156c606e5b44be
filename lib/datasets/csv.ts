/**
 * Reading and profiling CSV files of any size: bytes are checked as UTF-8 as they stream by,
 * the delimiter and header row are sniffed from the first 64 KiB, csv-parse splits records,
 * and rows flow one at a time into the column accumulators (stats.ts), so memory stays flat
 * however large the file. Every failure is a CsvError naming the 1-based line in the file.
 */
import { Readable } from 'node:stream';
import { parse, type CastingContext, type CsvError as ParserError } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { z } from 'zod';
import { DatasetError } from './errors';
import { parseNumber } from './infer-types';
import { ColumnAccumulator, ZColumnProfile } from './stats';
import { MISSING_MARKERS, missingMatcher, type Cell, type Table } from './table';

export const DELIMITERS = [',', ';', '\t', '|'] as const;
export const ZDelimiter = z.enum(DELIMITERS);
export type Delimiter = z.infer<typeof ZDelimiter>;

/** What the user may pin instead of the sniffed format (the upload form's "advanced" fields). */
export const ZCsvReadOptions = z.object({
  delimiter: ZDelimiter.optional(),
  /** Whether the first row holds column names; sniffed when absent. */
  header: z.boolean().optional(),
  /** Cells meaning "missing", compared trimmed and case-insensitively; defaults to MISSING_MARKERS. */
  missingMarkers: z.array(z.string()).optional(),
});
export type CsvReadOptions = z.infer<typeof ZCsvReadOptions>;

export const ZCsvFormat = z.object({
  delimiter: ZDelimiter,
  hasHeader: z.boolean(),
  /** The file started with a UTF-8 byte order mark (stripped). */
  bom: z.boolean(),
});
export type CsvFormat = z.infer<typeof ZCsvFormat>;

/** Stored as DatasetUpload.profile / DatasetVersion.profile.columns and shown on the dataset page. */
export const ZCsvProfile = z.object({
  format: ZCsvFormat,
  rowCount: z.int().min(0),
  columns: z.array(ZColumnProfile),
  /** The first SAMPLE_ROWS rows, for the preview table. */
  sample: z.array(z.array(z.string().nullable())),
  /** Things we fixed on the way (renamed duplicate headers …), one sentence each. */
  warnings: z.array(z.string()),
});
export type CsvProfile = z.infer<typeof ZCsvProfile>;

/** A malformed file. `line` is the 1-based line in the file, null when no line is to blame. */
export class CsvError extends DatasetError {
  constructor(
    readonly line: number | null,
    readonly detail: string,
  ) {
    super(line === null ? detail : `line ${line}: ${detail}`);
    this.name = 'CsvError';
  }
}

export interface CsvLayout extends CsvFormat {
  columns: string[];
  warnings: string[];
}

export interface CsvRow {
  /** 1-based line where the record starts (records with quoted newlines span several). */
  line: number;
  /** Trimmed cells, null where missing; exactly one per column. */
  cells: Cell[];
}

export interface CsvReader {
  layout: CsvLayout;
  /** The data rows (after the header, if any). Can be iterated once; the source closes after. */
  rows(): AsyncGenerator<CsvRow>;
  /** Closes the source without reading the rows. */
  close(): Promise<void>;
}

/** Bytes or text, e.g. a Node Readable, a web ReadableStream, or an array of strings. */
export type CsvSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** Sniffing reads at least this much (or the whole file when smaller). */
const SNIFF_BYTES = 64 * 1024;
const SNIFF_RECORDS = 100;
/** A record longer than this is almost certainly an unclosed quote swallowing the file. */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;
export const SAMPLE_ROWS = 20;

/**
 * Opens a CSV source: reads its first 64 KiB to settle the delimiter, header and columns, and
 * returns them with a one-shot iterator over the data rows.
 */
export async function openCsv(source: CsvSource, options: CsvReadOptions = {}): Promise<CsvReader> {
  const iterator = toAsyncIterator(source);
  // Stop the source (e.g. close the file) when reading ends early: an error, or a caller that
  // checks the layout and never reads the rows.
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await iterator.return?.();
  };
  const validator = new Utf8Validator();
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let ended = false;
  try {
    while (headBytes < SNIFF_BYTES) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      const bytes = toBytes(next.value);
      validator.check(bytes);
      head.push(bytes);
      headBytes += bytes.length;
    }
    if (ended) validator.end();
  } catch (error) {
    await close();
    throw error;
  }

  let text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(concat(head, headBytes), { stream: !ended });
  const bom = text.startsWith('\uFEFF');
  if (bom) text = text.slice(1);
  if (text.trim() === '') {
    await close();
    if (ended) throw new CsvError(null, 'the file is empty');
    throw new CsvError(1, 'the file starts with 64 KiB of blank space');
  }

  const isMissing = missingMatcher(options.missingMarkers ?? MISSING_MARKERS);
  const delimiter = options.delimiter ?? sniffDelimiter(text, ended);
  const sniffed = splitRecords(text, delimiter, ended, SNIFF_RECORDS);
  const first = firstRecord(text, delimiter) ?? sniffed[0] ?? [];
  const hasHeader = options.header ?? detectHeader(sniffed, isMissing);
  const warnings: string[] = [];
  const columns = hasHeader
    ? columnNames(
        first.map((c) => c.trim()),
        warnings,
      )
    : first.map((_, i) => `column_${i + 1}`);

  let used = false;
  const rows = async function* (): AsyncGenerator<CsvRow> {
    if (used) throw new Error('CsvReader.rows() can only be iterated once');
    used = true;
    try {
      yield* readRecords(chunks(), delimiter, hasHeader, columns.length, isMissing);
    } finally {
      await close();
    }
  };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const bytes = toBytes(next.value);
      validator.check(bytes);
      yield bytes;
    }
    validator.end();
  }
  return { layout: { delimiter, hasHeader, bom, columns, warnings }, rows, close };
}

/** Records from csv-parse with the lines they start on, trimmed, missing markers as null. */
async function* readRecords(bytes: AsyncIterable<Uint8Array>, delimiter: Delimiter, hasHeader: boolean, width: number, isMissing: (value: string) => boolean): AsyncGenerator<CsvRow> {
  // csv-parse counts lines itself but drifts on CRLF inside quoted fields and does not say
  // where a record starts, so we count: a record starts after the previous record's lines and
  // the blank lines skipped since. on_record runs inside the parser, so this state is current
  // even when the parser fails before the rows reach us.
  let nextLine = 1;
  let emptyBefore = 0;
  let parserLinesAtLast = 0;
  const toRow = (record: string[], context: CastingContext): CsvRow => {
    const line = nextLine + (context.empty_lines - emptyBefore);
    emptyBefore = context.empty_lines;
    nextLine = line + physicalLines(record);
    parserLinesAtLast = context.lines;
    // Reuse csv-parse's array for the cells: one allocation less per row.
    const cells = record as Cell[];
    for (let i = 0; i < record.length; i++) {
      const cell = record[i]!.trim();
      cells[i] = isMissing(cell) ? null : cell;
    }
    return { line, cells };
  };
  const parser = parse({
    delimiter,
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    max_record_size: MAX_RECORD_CHARS,
    // csv-parse types on_record as returning a record again; returning our row object is supported.
    on_record: toRow as unknown as (record: string[], context: CastingContext) => string[],
  });
  const input = Readable.from(bytes, { objectMode: false });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let headerSkipped = !hasHeader;
  try {
    for await (const row of parser as AsyncIterable<CsvRow>) {
      if (row.cells.length !== width) {
        throw new CsvError(row.line, `expected ${width} field${width === 1 ? '' : 's'} but found ${row.cells.length}`);
      }
      if (!headerSkipped) {
        headerSkipped = true;
        continue;
      }
      yield row;
    }
  } catch (error) {
    if (error instanceof CsvError) throw error;
    const code = (error as ParserError).code as string | undefined;
    const e = error as ParserError & { lines?: number; empty_lines?: number };
    const pending = nextLine + ((e.empty_lines ?? emptyBefore) - emptyBefore);
    const at = e.lines !== undefined ? e.lines + (nextLine - 1 - parserLinesAtLast) : pending;
    if (code === 'CSV_QUOTE_NOT_CLOSED') throw new CsvError(pending, 'a quoted field starts on this line and is never closed');
    if (code === 'CSV_MAX_RECORD_SIZE') {
      throw new CsvError(pending, `a record longer than ${MAX_RECORD_CHARS / 1024 / 1024} MiB starts here; is a quote left open?`);
    }
    if (code === 'CSV_INVALID_CLOSING_QUOTE') {
      throw new CsvError(at, 'a closing quote is followed by more text (write a quote inside a quoted field as "")');
    }
    if (code?.startsWith('CSV_') || code === 'INVALID_OPENING_QUOTE') {
      throw new CsvError(at, (error as Error).message.split('\n')[0]!.replace(/ at line \d+/, ''));
    }
    throw error;
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/** Lines a record spans: 1 plus the line breaks inside its (quoted) fields; CRLF counts once. */
function physicalLines(record: readonly string[]): number {
  let lines = 1;
  for (const field of record) {
    if (field.indexOf('\n') < 0 && field.indexOf('\r') < 0) continue;
    for (let i = 0; i < field.length; i++) {
      const c = field.charCodeAt(i);
      if (c === 10) lines++;
      else if (c === 13 && field.charCodeAt(i + 1) !== 10) lines++;
    }
  }
  return lines;
}

/** The first record as csv-parse reads it, so its width matches the rows; null if it is cut off. */
function firstRecord(text: string, delimiter: Delimiter): string[] | null {
  try {
    const [record] = parseSync(text, { delimiter, to: 1, trim: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
    return record ?? null;
  } catch {
    return null;
  }
}

/** Header names, trimmed; blanks become column_N and duplicates get a _2, _3 … suffix. */
function columnNames(raw: string[], warnings: string[]): string[] {
  const taken = new Set<string>();
  const blank: number[] = [];
  const renamed: string[] = [];
  const names = raw.map((name, i) => {
    let base = name;
    if (base === '') {
      base = `column_${i + 1}`;
      blank.push(i + 1);
    }
    let unique = base;
    for (let k = 2; taken.has(unique); k++) unique = `${base}_${k}`;
    if (unique !== base) renamed.push(`'${base}' → '${unique}'`);
    taken.add(unique);
    return unique;
  });
  if (blank.length) warnings.push(`column${blank.length > 1 ? 's' : ''} ${blank.join(', ')} had no name and ${blank.length > 1 ? 'are' : 'is'} called column_N`);
  if (renamed.length) warnings.push(`repeated column names were renamed: ${renamed.join(', ')}`);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Sniffing

/**
 * The delimiter that splits the sample's records most consistently: for each candidate, the
 * share of records having the most common field count (that count must be at least 2); ties
 * go to more fields, then to the order , ; tab |. One-column files get ','.
 */
export function sniffDelimiter(text: string, complete = true): Delimiter {
  let best: { delimiter: Delimiter; consistency: number; fields: number } = { delimiter: ',', consistency: 0, fields: 1 };
  for (const delimiter of DELIMITERS) {
    const records = splitRecords(text, delimiter, complete, SNIFF_RECORDS);
    if (records.length === 0) continue;
    const frequency = new Map<number, number>();
    for (const r of records) frequency.set(r.length, (frequency.get(r.length) ?? 0) + 1);
    const [fields, count] = [...frequency].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]!;
    if (fields < 2) continue;
    const consistency = count / records.length;
    if (consistency > best.consistency || (consistency === best.consistency && fields > best.fields)) {
      best = { delimiter, consistency, fields };
    }
  }
  return best.delimiter;
}

/**
 * Whether the first record is a header, by column votes over the next records (the idea of
 * Python's csv.Sniffer.has_header): a column of numbers (or booleans, or dates) under a cell
 * that is none votes "header"; a first cell that is a number over numbers, or that repeats
 * in its column, votes "data". No votes either way → a header, unless the first record holds
 * a number (column names are rarely numbers). A lone record is a header without numbers.
 */
export function detectHeader(records: readonly string[][], isMissing: (value: string) => boolean = missingMatcher()): boolean {
  const [first, ...rest] = records;
  if (!first) return false;
  const firstCells = first.map((c) => c.trim());
  const noNumbers = firstCells.every((c) => parseNumber(c) === null);
  let votes = 0;
  firstCells.forEach((head, j) => {
    const values = rest.map((r) => (r[j] ?? '').trim()).filter((v) => !isMissing(v));
    if (values.length === 0) return;
    const kinds = [parseNumber, (v: string) => (/^(true|false|yes|no)$/i.test(v) ? true : null), (v: string) => (/^\d{4}-\d{2}-\d{2}/.test(v) ? true : null)];
    for (const kind of kinds) {
      if (values.every((v) => kind(v) !== null)) {
        votes += kind(head) === null ? 1 : -1;
        return;
      }
    }
    if (values.includes(head)) votes -= 1;
  });
  return votes > 0 || (votes === 0 && noNumbers);
}

/**
 * A small RFC 4180 record splitter for sniffing only (csv-parse reads the real thing): quoted
 * fields with doubled quotes and line breaks, blank lines skipped. When the text is a prefix of
 * the file (`complete` false), the last, possibly cut, record is dropped.
 */
export function splitRecords(text: string, delimiter: string, complete: boolean, limit = Infinity): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  let fieldStart = true;
  let quoted = false;
  const endRecord = () => {
    record.push(field);
    if (!(record.length === 1 && record[0]!.trim() === '')) records.push(record);
    record = [];
    field = '';
    fieldStart = true;
  };
  while (i < n && records.length < limit) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (fieldStart && c === '"') {
      quoted = true;
      fieldStart = false;
      i++;
      continue;
    }
    if (c === delimiter) {
      record.push(field);
      field = '';
      fieldStart = true;
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else {
      if (fieldStart && (c === ' ' || c === '\t') && c !== delimiter) {
        i++;
        continue;
      }
      field += c;
      fieldStart = false;
    }
    i++;
  }
  if (records.length < limit && complete && !quoted && (field !== '' || record.length > 0)) endRecord();
  return records;
}

// ---------------------------------------------------------------------------------------------
// Profiling

export async function profileCsvStream(source: CsvSource, options: CsvReadOptions = {}): Promise<CsvProfile> {
  return profileCsvReader(await openCsv(source, options));
}

/** Profiles the rows of an opened reader (for callers that check the layout first). */
export async function profileCsvReader(reader: CsvReader): Promise<CsvProfile> {
  const { columns } = reader.layout;
  const accumulators = columns.map((name, i) => new ColumnAccumulator(name, i));
  const sample: Cell[][] = [];
  let rowCount = 0;
  for await (const row of reader.rows()) {
    for (let j = 0; j < accumulators.length; j++) accumulators[j]!.add(row.cells[j]!);
    if (sample.length < SAMPLE_ROWS) sample.push(row.cells);
    rowCount++;
  }
  if (rowCount === 0) throw new CsvError(null, reader.layout.hasHeader ? 'the file has a header row but no data rows' : 'the file is empty');
  const { delimiter, hasHeader, bom, warnings } = reader.layout;
  return { format: { delimiter, hasHeader, bom }, rowCount, columns: accumulators.map((a) => a.finish()), sample, warnings };
}

export function profileCsvText(text: string, options: CsvReadOptions = {}): Promise<CsvProfile> {
  return profileCsvStream([text], options);
}

/** Every row in memory, with the line each came from (for splits, encoding and reports). */
export async function readCsvTable(source: CsvSource, options: CsvReadOptions = {}): Promise<{ layout: CsvLayout; table: Table }> {
  const reader = await openCsv(source, options);
  const rows: Cell[][] = [];
  const lines: number[] = [];
  for await (const row of reader.rows()) {
    rows.push(row.cells);
    lines.push(row.line);
  }
  if (rows.length === 0) throw new CsvError(null, reader.layout.hasHeader ? 'the file has a header row but no data rows' : 'the file is empty');
  return { layout: reader.layout, table: { columns: reader.layout.columns, rows, lines } };
}

// ---------------------------------------------------------------------------------------------
// Bytes

function toAsyncIterator(source: CsvSource): AsyncIterator<Uint8Array | string> {
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  const it = source[Symbol.iterator]();
  return { next: async () => it.next() };
}

const encoder = new TextEncoder();
function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * A streaming UTF-8 check (the Unicode standard's table of well-formed byte sequences: no
 * overlong forms, no surrogates, nothing above U+10FFFF) that also counts lines, so a bad byte
 * is reported with its line. Sequences may straddle chunks.
 */
export class Utf8Validator {
  private line = 1;
  private need = 0;
  private lower = 0x80;
  private upper = 0xbf;

  check(bytes: Uint8Array): void {
    let { line, need, lower, upper } = this;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (need === 0) {
        if (b < 0x80) {
          if (b === 10) line++;
          continue;
        }
        lower = 0x80;
        upper = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) need = 1;
        else if (b >= 0xe0 && b <= 0xef) {
          need = 2;
          if (b === 0xe0) lower = 0xa0;
          else if (b === 0xed) upper = 0x9f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          need = 3;
          if (b === 0xf0) lower = 0x90;
          else if (b === 0xf4) upper = 0x8f;
        } else throw this.fail(line);
      } else {
        if (b < lower || b > upper) throw this.fail(line);
        lower = 0x80;
        upper = 0xbf;
        need--;
      }
    }
    this.line = line;
    this.need = need;
    this.lower = lower;
    this.upper = upper;
  }

  /** At the end of the input: a sequence cut short is invalid too. */
  end(): void {
    if (this.need > 0) throw this.fail(this.line);
  }

  private fail(line: number): CsvError {
    return new CsvError(line, 'not valid UTF-8 (save the file as UTF-8 and upload it again)');
  }
}
