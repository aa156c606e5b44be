import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CsvError, detectHeader, openCsv, profileCsvStream, profileCsvText, readCsvTable, sniffDelimiter, splitRecords, Utf8Validator } from './csv';
import { RESERVOIR_SIZE, type ColumnProfile } from './stats';

function column(profile: { columns: ColumnProfile[] }, name: string): ColumnProfile {
  const found = profile.columns.find((c) => c.name === name);
  if (!found) throw new Error(`no column ${name}`);
  return found;
}

async function csvError(run: () => Promise<unknown>): Promise<CsvError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CsvError);
  expect((error as CsvError).message).not.toContain('\n');
  return error as CsvError;
}

/** A small file with one column of each type and every missing marker. */
function mixedCsv(rows: number): string {
  const lines = ['id,age,city,smoker,joined,review,flag'];
  const cities = ['Paris', 'Oslo', 'Lima'];
  for (let i = 0; i < rows; i++) {
    const age = i % 10 === 3 ? ['', '?', 'NA', 'N/A', 'null', 'NaN'][i % 6] : String(20 + (i % 50) + 0.5);
    const review = `this is a long free text review number ${i} with several words in it`;
    lines.push(`${i + 1},${age},${cities[i % 3]},${i % 2 ? 'yes' : 'no'},2024-01-${String((i % 28) + 1).padStart(2, '0')},"${review}",${i % 2}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('profileCsvText: type inference', () => {
  it('infers each type, counts missing markers and suggests roles', async () => {
    const profile = await profileCsvText(mixedCsv(120));
    expect(profile.rowCount).toBe(120);
    expect(profile.format).toEqual({ delimiter: ',', hasHeader: true, bom: false });
    expect(profile.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'numeric'],
      ['age', 'numeric'],
      ['city', 'categorical'],
      ['smoker', 'boolean'],
      ['joined', 'datetime'],
      ['review', 'text'],
      ['flag', 'boolean'],
    ]);
    const age = column(profile, 'age');
    expect(age.missing).toBe(12);
    expect(age.count).toBe(108);
    expect(column(profile, 'id').suggestedRole).toBe('id');
    expect(column(profile, 'review').suggestedRole).toBe('feature');
    expect(column(profile, 'city').topValues).toEqual([
      { value: 'Lima', count: 40 },
      { value: 'Oslo', count: 40 },
      { value: 'Paris', count: 40 },
    ]);
    expect(column(profile, 'joined').datetime).toEqual({ min: '2024-01-01T00:00:00.000Z', max: '2024-01-28T00:00:00.000Z' });
    expect(column(profile, 'review').text?.meanWords).toBe(14);
    expect(profile.sample).toHaveLength(20);
  });

  it('computes numeric stats equal to a direct computation, with an exact histogram', async () => {
    const values = Array.from({ length: 500 }, (_, i) => ((i * 37) % 101) / 3);
    const profile = await profileCsvText(`x\n${values.join('\n')}\n`);
    const stats = column(profile, 'x').numeric!;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    expect(stats.min).toBe(Math.min(...values));
    expect(stats.max).toBe(Math.max(...values));
    expect(stats.mean).toBeCloseTo(mean, 10);
    expect(stats.std).toBeCloseTo(std, 10);
    expect(stats.histogram.exact).toBe(true);
    expect(stats.histogram.counts).toHaveLength(20);
    expect(stats.histogram.counts.reduce((a, b) => a + b, 0)).toBe(500);
    const width = (stats.max - stats.min) / 20;
    const direct = new Array(20).fill(0);
    for (const v of values) direct[Math.min(19, Math.floor((v - stats.min) / width))]++;
    expect(stats.histogram.counts).toEqual(direct);
    const sorted = [...values].sort((a, b) => a - b);
    expect(stats.quantiles.p50).toBeCloseTo((sorted[249]! + sorted[250]!) / 2, 10);
  });

  it('gives small integer ranges one histogram bin per value', async () => {
    const profile = await profileCsvText(`n\n${[1, 2, 2, 3, 3, 3, 5].join('\n')}\n`);
    expect(column(profile, 'n').numeric!.histogram).toEqual({ edges: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5], counts: [1, 2, 3, 0, 1], exact: true });
  });

  it('keeps codes with leading zeros and mixed columns as strings', async () => {
    const profile = await profileCsvText('zip,size\n02134,1\n10001,2\n00501,big\n');
    expect(column(profile, 'zip').type).toBe('categorical');
    expect(column(profile, 'size').type).toBe('categorical');
    expect(column(profile, 'size').typeReason).toContain('1 of 3 values are not numbers');
  });

  it('calls a column of only missing values categorical and suggests ignoring it', async () => {
    const profile = await profileCsvText('a,b\n1,\n2,?\n3,NA\n');
    expect(column(profile, 'b')).toMatchObject({ type: 'categorical', missing: 3, count: 0, suggestedRole: 'ignored' });
  });

  it('trims cells, so " ?" (as in the raw UCI adult.data) is missing and " Male" is Male', async () => {
    const profile = await profileCsvText('age, sex, job\n39, Male, ?\n50, Female, Sales\n');
    expect(profile.columns.map((c) => c.name)).toEqual(['age', 'sex', 'job']);
    expect(column(profile, 'sex').topValues.map((v) => v.value)).toEqual(['Female', 'Male']);
    expect(column(profile, 'job').missing).toBe(1);
  });

  it('strips a UTF-8 byte order mark', async () => {
    const profile = await profileCsvStream(Readable.from([Buffer.from('\uFEFFname,score\nÅsa,1\nZoë,2\n', 'utf8')]));
    expect(profile.format.bom).toBe(true);
    expect(profile.columns[0]!.name).toBe('name');
    expect(column(profile, 'name').topValues.map((v) => v.value)).toEqual(['Zoë', 'Åsa']);
  });

  it('reads semicolon files with decimal commas as the delimiter sees them', async () => {
    const profile = await profileCsvText('name;price;qty\n"a;b";1,5;3\nc;2,25;4\nd;3;5\n');
    expect(profile.format.delimiter).toBe(';');
    expect(
      column(profile, 'name')
        .topValues.map((v) => v.value)
        .sort(),
    ).toEqual(['a;b', 'c', 'd']);
    expect(column(profile, 'qty').type).toBe('numeric');
  });

  it('reads quoted fields holding delimiters, doubled quotes and newlines', async () => {
    const { table } = await readCsvTable(['id,note,n\n1,"hello, world",1\n2,"she said ""hi""",2\n3,"two\nlines",3\n4,plain,4\n']);
    expect(table.rows.map((r) => r[1])).toEqual(['hello, world', 'she said "hi"', 'two\nlines', 'plain']);
    expect(table.lines).toEqual([2, 3, 4, 6]);
  });

  it.each([
    ['tab', 'a\tb\tc\n1\t2\t3\n4\t5\t6\n', '\t'],
    ['pipe', 'a|b\n1|2\n3|4\n', '|'],
    ['comma with a semicolon in text', 'a,b\n1,x;y\n2,z\n', ','],
  ])('sniffs the %s delimiter', async (_, text, delimiter) => {
    expect((await profileCsvText(text)).format.delimiter).toBe(delimiter);
  });

  it('detects files without a header row and names their columns', async () => {
    const profile = await profileCsvText('1,2.5,x\n2,3.5,y\n3,4.5,x\n');
    expect(profile.format.hasHeader).toBe(false);
    expect(profile.rowCount).toBe(3);
    expect(profile.columns.map((c) => c.name)).toEqual(['column_1', 'column_2', 'column_3']);
  });

  it('lets options pin the delimiter, header and missing markers', async () => {
    const profile = await profileCsvText('a,b\n1,-\n2,3\n', { header: false, missingMarkers: ['-'] });
    expect(profile.rowCount).toBe(3);
    expect(column(profile, 'column_2')).toMatchObject({ missing: 1 });
  });

  it('renames blank and repeated header names with a warning', async () => {
    const profile = await profileCsvText(',score,score\n1,2,3\n');
    expect(profile.columns.map((c) => c.name)).toEqual(['column_1', 'score', 'score_2']);
    expect(profile.warnings).toHaveLength(2);
  });

  it('skips blank lines and counts lines across CRLF and quoted newlines', async () => {
    const { table } = await readCsvTable(['a,b\r\n\r\n1,2\r\n3,"x\r\ny"\r\n  \r\n5,6\r\n']);
    expect(table.rows).toEqual([
      ['1', '2'],
      ['3', 'x\r\ny'],
      ['5', '6'],
    ]);
    expect(table.lines).toEqual([3, 4, 7]);
  });
});

describe('CSV errors name the line', () => {
  it('reports a ragged row with expected and found field counts', async () => {
    const lines = ['a,b,c', ...Array.from({ length: 20 }, (_, i) => (i === 15 ? '1,2' : '1,2,3'))];
    const error = await csvError(() => profileCsvText(lines.join('\n')));
    expect(error.line).toBe(17);
    expect(error.message).toBe('line 17: expected 3 fields but found 2');
  });

  it('reports a ragged row after a multi-line quoted field at its own line', async () => {
    const error = await csvError(() => profileCsvText('a,b\n"x\ny\nz",1\n2,3,4\n'));
    expect(error.message).toBe('line 5: expected 2 fields but found 3');
  });

  it('reports an empty file', async () => {
    for (const text of ['', '\n\n  \n']) {
      const error = await csvError(() => profileCsvText(text));
      expect(error.message).toBe('the file is empty');
      expect(error.line).toBeNull();
    }
  });

  it('reports a header without rows', async () => {
    expect((await csvError(() => profileCsvText('name,age\n'))).message).toBe('the file has a header row but no data rows');
  });

  it('reports invalid UTF-8 with its line, also when split across chunks', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n4,5\n')]);
    const error = await csvError(() => profileCsvStream(Readable.from([bytes])));
    expect(error.message).toBe('line 3: not valid UTF-8 (save the file as UTF-8 and upload it again)');
    // Latin-1 'é' (0xe9) alone, in a later chunk than the sniffed head.
    const big = Buffer.from(`a,b\n${'1,2\n'.repeat(20_000)}`);
    const latin1 = await csvError(() => profileCsvStream(Readable.from([big, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2c, 0x31, 0x0a])]))); // "café,1"
    expect(latin1.line).toBe(20_002);
  });

  it('accepts multi-byte characters split across chunks and rejects a cut-off one at the end', () => {
    const euro = Buffer.from('€', 'utf8');
    const v = new Utf8Validator();
    v.check(euro.subarray(0, 1));
    v.check(euro.subarray(1));
    v.end();
    const cut = new Utf8Validator();
    cut.check(euro.subarray(0, 2));
    expect(() => cut.end()).toThrow(CsvError);
    for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff]]) {
      expect(() => new Utf8Validator().check(Uint8Array.from(bad))).toThrow('line 1: not valid UTF-8');
    }
  });

  it('reports an unclosed quote at the line it opens', async () => {
    const error = await csvError(() => profileCsvText('a,b\n1,2\n\n3,"never closed\n4,5\n6,7\n'));
    expect(error.message).toBe('line 4: a quoted field starts on this line and is never closed');
  });

  it('reports text after a closing quote at its line', async () => {
    const error = await csvError(() => profileCsvText('a,b\n1,2\n3,"x"y\n'));
    expect(error.line).toBe(3);
  });
});

describe('sniffing helpers', () => {
  it('splits quoted records and drops a cut-off last record of a prefix', () => {
    expect(splitRecords('a,"b\nc",d\n1,2', ',', true)).toEqual([
      ['a', 'b\nc', 'd'],
      ['1', '2'],
    ]);
    expect(splitRecords('a,b\n1,2\n3,"cut', ',', false)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('chooses the most consistent delimiter', () => {
    expect(sniffDelimiter('id\ttext\n1\thello, world, again\n2\tbye, now\n')).toBe('\t');
    expect(sniffDelimiter('just one column\nanother value\n')).toBe(',');
  });

  it('votes on the header row', () => {
    expect(
      detectHeader([
        ['name', 'age'],
        ['ann', '30'],
        ['bob', '41'],
      ]),
    ).toBe(true);
    expect(
      detectHeader([
        ['1', '2'],
        ['3', '4'],
      ]),
    ).toBe(false);
    expect(
      detectHeader([
        ['red', 'small'],
        ['blue', 'large'],
        ['red', 'large'],
      ]),
    ).toBe(false);
    expect(
      detectHeader([
        ['colour', 'size'],
        ['blue', 'large'],
        ['red', 'small'],
      ]),
    ).toBe(true);
  });
});

describe('streaming a large file', () => {
  it('profiles 200 000 generated rows with flat memory and exact row count', async () => {
    // Measure live heap after forced collections while the rows stream by: holding the rows
    // (about 1.4 million strings) would add well over 100 MB.
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const rows = 200_000;
    const perChunk = 2_000;
    const samples: number[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    async function* generate() {
      yield 'id,value,group,flag,name,when,note\n';
      for (let start = 0; start < rows; start += perChunk) {
        let chunk = '';
        for (let i = start; i < start + perChunk; i++) {
          chunk += `${i},${(i % 1000) / 10},g${i % 7},${i % 3 === 0 ? 'true' : 'false'},user-${i}-${(i * 7919) % 100_003},2020-01-${String((i % 28) + 1).padStart(2, '0')},${i % 97 === 0 ? 'NA' : 'ok'}\n`;
        }
        if (start % 50_000 === 0) {
          gc();
          samples.push(process.memoryUsage().heapUsed - before);
        }
        yield Buffer.from(chunk);
      }
    }
    const profile = await profileCsvStream(Readable.from(generate()));
    expect(profile.rowCount).toBe(rows);
    expect(Math.max(...samples)).toBeLessThan(20 * 1024 * 1024);
    const value = column(profile, 'value');
    expect(value.numeric!.histogram.exact).toBe(false);
    expect(value.numeric!.histogram.counts.reduce((a, b) => a + b, 0)).toBe(rows);
    expect(value.numeric!.mean).toBeCloseTo(49.95, 6);
    const name = column(profile, 'name');
    expect(name.distinctExact).toBe(false);
    expect(Math.abs(name.distinct - rows) / rows).toBeLessThan(0.05);
    expect(name.suggestedRole).toBe('id');
    expect(column(profile, 'group').distinct).toBe(7);
    expect(column(profile, 'note').missing).toBe(Math.ceil(rows / 97));
    // Reservoir quantiles of a uniform 0..99.9 column stay close to the truth.
    expect(value.numeric!.quantiles.p50).toBeGreaterThan(47);
    expect(value.numeric!.quantiles.p50).toBeLessThan(53);
    expect(RESERVOIR_SIZE).toBeLessThan(rows);
  });

  it('hands rows over one at a time, with their layout first', async () => {
    const reader = await openCsv(['x;y\n', '1;2\n', '3;4\n']);
    expect(reader.layout).toMatchObject({ delimiter: ';', hasHeader: true, columns: ['x', 'y'] });
    const rows = [];
    for await (const row of reader.rows()) rows.push(row);
    expect(rows).toEqual([
      { line: 2, cells: ['1', '2'] },
      { line: 3, cells: ['3', '4'] },
    ]);
  });

  it('closes the source when the caller stops early or only wanted the layout', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'deepboard-csv-'));
    try {
      const file = path.join(dir, 'rows.csv');
      await writeFile(file, `a,b\n${'1,2\n'.repeat(50_000)}`);
      const early = createReadStream(file, { highWaterMark: 1024 });
      const reader = await openCsv(early);
      for await (const row of reader.rows()) if (row.line > 10) break;
      expect(early.destroyed).toBe(true);
      const layoutOnly = createReadStream(file, { highWaterMark: 1024 });
      await (await openCsv(layoutOnly)).close();
      expect(layoutOnly.destroyed).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
