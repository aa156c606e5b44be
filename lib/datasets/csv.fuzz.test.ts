import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counter, FUZZ_RUNS, fuzzParams } from '@/tests/helpers/fuzz';
import { profileCsvStream, profileCsvText, ZCsvProfile } from './csv';
import { DatasetError } from './errors';
import { COLUMN_TYPES, columnsFromProfile, inferTask, TaskError, ZDatasetColumns } from './schema';
import { labelSummary } from './stats';

/**
 * Fuzzing the CSV reader and type inference: whatever bytes arrive, profiling either returns a
 * profile that matches its schema or refuses with a one-line CsvError (a clear 400 upstream) —
 * never another exception. Task inference on any profiled column either decides or says why not.
 */

// Characters that make CSV interesting: every delimiter, quotes, line breaks, blanks, digits,
// signs, missing markers and some non-ASCII.
const CSV_CHARS = [',', ';', '\t', '|', '"', '"', '\n', '\r\n', '\r', ' ', '0', '1', '7', '-', '.', 'e', 'a', 'B', 'NA', '?', 'true', 'no', '2024-01-02', 'é', '😀', '\uFEFF'];
const csvText = fc.array(fc.constantFrom(...CSV_CHARS), { maxLength: 120 }).map((parts) => parts.join(''));

const cell = fc.oneof(
  fc.double({ noNaN: false }).map(String),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom('', 'NA', 'null', '?', 'yes', 'no', 'true', 'False', '2024-03-01', '2024-03-01T10:00:00Z', '007', '1e308', '-0'),
  fc.string({ maxLength: 12 }),
);

function quote(value: string, delimiter: string, width: number): string {
  // A lone empty cell would be a blank line, which CSV readers skip: quote it.
  if (value === '' && width === 1) return '""';
  return /["\n\r]/.test(value) || value.includes(delimiter) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Either a valid profile, or a CsvError/DatasetError with a one-line message. */
async function profileOrRefusal(run: () => Promise<unknown>) {
  try {
    const profile = ZCsvProfile.parse(await run());
    return { profile };
  } catch (error) {
    expect(error, `unexpected ${(error as Error)?.stack}`).toBeInstanceOf(DatasetError);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message.length).toBeGreaterThan(0);
    return { error: error as DatasetError };
  }
}

/** Task inference on every column of a profile: a task, or a TaskError with a reason. */
function checkTasks(profile: { columns: Parameters<typeof labelSummary>[0][] }) {
  for (const column of profile.columns) {
    expect(COLUMN_TYPES).toContain(column.type);
    for (const override of [{}, { kind: 'binary' as const }, { kind: 'multiclass' as const }, { kind: 'regression' as const }]) {
      try {
        const { task } = inferTask(labelSummary(column), override);
        if (task.kind === 'binary') expect(task.positiveClass).not.toBe(task.negativeClass);
      } catch (error) {
        expect(error).toBeInstanceOf(TaskError);
      }
    }
  }
}

describe('CSV fuzzing', () => {
  it('profiles or refuses any text built from CSV syntax', async () => {
    const cases = counter();
    await fc.assert(
      fc.asyncProperty(csvText, async (text) => {
        cases.tick();
        const { profile } = await profileOrRefusal(() => profileCsvText(text));
        if (profile) checkTasks(profile);
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });

  it('profiles or refuses arbitrary bytes (invalid UTF-8 included), split into random chunks', async () => {
    const cases = counter();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 64 }), async (bytes, chunk) => {
        cases.tick();
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
        await profileOrRefusal(() => profileCsvStream(chunks));
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });

  it('reads back any well-formed table: row count, column count and names survive quoting', async () => {
    const cases = counter();
    const table = fc.integer({ min: 1, max: 6 }).chain((width) =>
      fc.record({
        header: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), { minLength: width, maxLength: width }),
        rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 12 }),
        delimiter: fc.constantFrom(',', ';', '\t', '|'),
        eol: fc.constantFrom('\n', '\r\n'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(table, async ({ header, rows, delimiter, eol }) => {
        cases.tick();
        const text = [header, ...rows].map((r) => r.map((v) => quote(v, delimiter, header.length)).join(delimiter)).join(eol) + eol;
        const profile = await profileCsvText(text, { delimiter, header: true });
        expect(profile.columns.map((c) => c.name)).toEqual(header);
        expect(profile.rowCount).toBe(rows.length);
        for (const c of profile.columns) expect(c.count + c.missing).toBe(rows.length);
        checkTasks(profile);
        // The columns a profile suggests always pass the dataset schema.
        const columns = columnsFromProfile(profile.columns);
        expect(ZDatasetColumns.safeParse(columns).success).toBe(true);
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  }, 180_000);
});
