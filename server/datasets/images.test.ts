import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { DatasetInputError, readImageZip, type ImageZipLimits } from './images';

type Content = Buffer | 'dir';

/** Builds a zip in memory from name → bytes (or 'dir' for a folder entry). */
function zip(entries: [string, Content][]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, content] of entries) {
    if (content === 'dir') z.addEmptyDirectory(name);
    else z.addBuffer(content, name);
  }
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    z.outputStream.on('error', reject);
  });
}

/** A solid-colour image with an alpha channel, as PNG or JPEG. */
function image(width: number, height: number, rgb: [number, number, number], format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const s = sharp({ create: { width, height, channels: 4, background: { r: rgb[0], g: rgb[1], b: rgb[2], alpha: 1 } } });
  return (format === 'png' ? s.png() : s.jpeg({ quality: 95 })).toBuffer();
}

let red: Buffer;
let blue: Buffer;
let wide: Buffer;
let jpeg: Buffer;

beforeAll(async () => {
  red = await image(20, 20, [255, 0, 0]);
  blue = await image(30, 10, [0, 0, 255]);
  jpeg = await image(16, 16, [0, 255, 0], 'jpeg');
  // Left half white, right half black: shows how 'cover' crops and 'contain' pads.
  wide = await sharp({ create: { width: 40, height: 10, channels: 3, background: '#000000' } })
    .composite([{ input: await image(20, 10, [255, 255, 255]), left: 0, top: 0 }])
    .png()
    .toBuffer();
});

async function refusal(zipBytes: Buffer | string, limits: Partial<ImageZipLimits> = {}): Promise<DatasetInputError> {
  const error = await readImageZip(zipBytes, { width: 8, height: 8 }, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetInputError);
  expect((error as Error).message).not.toContain('\n');
  return error as DatasetInputError;
}

describe('readImageZip', () => {
  it('reads one folder per class into labelled, resized pixels with previews', async () => {
    const bytes = await zip([
      ['dogs/', 'dir'],
      ['dogs/b.png', blue],
      ['cats/a.png', red],
      ['cats/c.jpg', jpeg],
      ['__MACOSX/cats/._a.png', Buffer.from('junk')],
      ['cats/.DS_Store', Buffer.from('junk')],
    ]);
    const data = await readImageZip(bytes, { width: 8, height: 6, channels: 3, previewsPerClass: 1 });
    expect(data.classNames).toEqual(['cats', 'dogs']);
    expect(data.counts).toEqual([2, 1]);
    expect(data.entries).toEqual(['dogs/b.png', 'cats/a.png', 'cats/c.jpg']);
    expect([...data.labels]).toEqual([1, 0, 0]);
    expect(data.pixels).toHaveLength(3 * 8 * 6 * 3);
    expect([...data.pixels.subarray(0, 3)]).toEqual([0, 0, 255]);
    expect([...data.pixels.subarray(144, 147)]).toEqual([255, 0, 0]);
    const green = data.pixels.subarray(288, 291);
    expect(green[1]).toBeGreaterThan(240);
    expect(green[0]).toBeLessThan(15);
    expect(data.skipped).toEqual(['__MACOSX/cats/._a.png', 'cats/.DS_Store']);
    expect(data.previews.map((p) => [p.className, p.png.length])).toEqual([
      ['cats', 1],
      ['dogs', 1],
    ]);
    expect(await sharp(data.previews[0]!.png[0]).metadata()).toMatchObject({ format: 'png', width: 8, height: 6 });
  });

  it('looks inside a single wrapping folder and converts to grayscale', async () => {
    const bytes = await zip([
      ['animals/cats/a.png', red],
      ['animals/dogs/b.png', blue],
    ]);
    const data = await readImageZip(bytes, { width: 4, height: 4, channels: 1 });
    expect(data.classNames).toEqual(['cats', 'dogs']);
    expect(data.pixels).toHaveLength(2 * 16);
    // One channel per pixel, uniform within an image; libvips' grey of pure red is lighter than of pure blue.
    expect(new Set(data.pixels.subarray(0, 16)).size).toBe(1);
    expect(data.pixels[0]).toBeGreaterThan(data.pixels[16]! + 20);
  });

  it("crops with fit 'cover' and pads with fit 'contain'", async () => {
    const bytes = await zip([
      ['a/wide.png', wide],
      ['b/red.png', red],
    ]);
    const cover = await readImageZip(bytes, { width: 4, height: 4, channels: 1, fit: 'cover' });
    const contain = await readImageZip(bytes, { width: 4, height: 4, channels: 1, fit: 'contain' });
    // cover: the centre 10×10 of 40×10, white left and black right in every row, no padding.
    for (let row = 0; row < 4; row++) {
      const [a, b, c, d] = cover.pixels.subarray(row * 4, row * 4 + 4);
      expect(Math.min(a!, b!)).toBeGreaterThan(200);
      expect(Math.max(c!, d!)).toBeLessThan(50);
    }
    // contain: the whole image shrinks to 4×1, with black bars above and below.
    expect([...contain.pixels.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect(Math.max(...contain.pixels.subarray(4, 12))).toBeGreaterThan(200);
  });

  it('reads a zip from a file path', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'deepboard-zip-'));
    try {
      const file = path.join(dir, 'data.zip');
      await writeFile(
        file,
        await zip([
          ['x/1.png', red],
          ['y/2.png', blue],
        ]),
      );
      expect((await readImageZip(file, { width: 4, height: 4 })).counts).toEqual([1, 1]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Rewrites every occurrence of a same-length name in the zip bytes (local and central headers). */
function renameEntry(bytes: Buffer, from: string, to: string): Buffer {
  expect(Buffer.byteLength(from)).toBe(Buffer.byteLength(to));
  const out = Buffer.from(bytes);
  const needle = Buffer.from(from);
  for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + 1)) Buffer.from(to).copy(out, at);
  return out;
}

/** Makes the central directory claim `size` uncompressed bytes for the first entry. */
function lieAboutSize(bytes: Buffer, size: number): Buffer {
  const out = Buffer.from(bytes);
  const central = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  out.writeUInt32LE(size, central + 24);
  return out;
}

describe('readImageZip refusals name the entry', () => {
  it.each([
    ['../evil.png', 'invalid relative path'],
    ['/etc/evil.png', 'absolute path'],
    // Backslashes (old Windows zippers) are read as folder separators, then checked like slashes.
    ['a\\..\\evil.png', 'invalid relative path'],
  ])('refuses the zip-slip path %s', async (name, reason) => {
    const placeholder = 'x'.repeat(Buffer.byteLength(name));
    const bytes = renameEntry(
      await zip([
        [placeholder, red],
        ['cats/a.png', red],
        ['dogs/b.png', blue],
      ]),
      placeholder,
      name,
    );
    const error = await refusal(bytes);
    const shown = name.replaceAll('\\', '/');
    expect(error.entry).toBe(shown);
    expect(error.message).toBe(`${shown}: unsafe path (${reason}); refusing the zip`);
  });

  it('refuses images outside a class folder or nested deeper', async () => {
    expect(
      (
        await refusal(
          await zip([
            ['loose.png', red],
            ['cats/a.png', red],
            ['dogs/b.png', blue],
          ]),
        )
      ).message,
    ).toBe('loose.png: sits outside a class folder; put each image in a folder named after its class (cats/001.png)');
    expect(
      (
        await refusal(
          await zip([
            ['cats/sub/a.png', red],
            ['dogs/b.png', blue],
          ]),
        )
      ).entry,
    ).toBe('cats/sub/a.png');
  });

  it('refuses real non-image entries but skips junk', async () => {
    const error = await refusal(
      await zip([
        ['cats/a.png', red],
        ['cats/notes.txt', Buffer.from('hello')],
        ['dogs/b.png', blue],
      ]),
    );
    expect(error.message).toBe('cats/notes.txt: is not a PNG or JPEG image');
    const renamed = await refusal(
      await zip([
        ['cats/a.png', Buffer.from('plain text, not a png')],
        ['dogs/b.png', blue],
      ]),
    );
    expect(renamed.message).toBe('cats/a.png: is not a PNG or JPEG image (its content does not match)');
  });

  it('refuses a corrupt image', async () => {
    const truncated = red.subarray(0, 60);
    const error = await refusal(
      await zip([
        ['cats/a.png', truncated],
        ['dogs/b.png', blue],
      ]),
    );
    expect(error.entry).toBe('cats/a.png');
    expect(error.message).toMatch(/^cats\/a\.png: cannot be decoded as an image/);
  });

  it('refuses an empty zip, a single class and an empty class folder', async () => {
    expect((await refusal(await zip([]))).message).toBe('the zip holds no images; expected one folder per class with PNG or JPEG files');
    expect(
      (
        await refusal(
          await zip([
            ['cats/a.png', red],
            ['cats/b.png', red],
          ]),
        )
      ).message,
    ).toBe("the zip has a single class ('cats/'); a classifier needs at least two class folders");
    expect(
      (
        await refusal(
          await zip([
            ['cats/a.png', red],
            ['dogs/b.png', blue],
            ['birds/', 'dir'],
          ]),
        )
      ).message,
    ).toBe('birds/: is a class folder without images');
    expect((await refusal(Buffer.from('not a zip at all'))).message).toMatch(/^not a valid zip file/);
  });

  it('refuses zip bombs by entry count, declared size and inflated bytes', async () => {
    const zeros = Buffer.alloc(3 * 1024 * 1024);
    const bomb = await zip([
      ['cats/a.png', red],
      ['cats/bomb.png', zeros],
      ['dogs/b.png', blue],
    ]);
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect((await refusal(bomb, { maxEntries: 2 })).message).toBe('the zip holds 3 entries; at most 2 are allowed');
    expect((await refusal(bomb, { maxEntryBytes: 1024 * 1024 })).entry).toBe('cats/bomb.png');
    expect((await refusal(bomb, { maxTotalBytes: 1024 * 1024 })).message).toBe('cats/bomb.png: brings the zip past 1 MB uncompressed');
    // A header that lies (claims 100 bytes) passes the declared-size check; the inflated bytes do not.
    const liar = lieAboutSize(
      await zip([
        ['cats/bomb.png', zeros],
        ['cats/a.png', red],
        ['dogs/b.png', blue],
      ]),
      100,
    );
    const error = await refusal(liar, { maxTotalBytes: 1024 * 1024 });
    expect(error.entry).toBe('cats/bomb.png');
    expect(error.message).toContain('refusing a possible zip bomb');
  });

  it('refuses images over the pixel cap and outputs over the byte cap', async () => {
    const big = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const bytes = await zip([
      ['cats/big.png', big],
      ['dogs/b.png', blue],
    ]);
    expect((await refusal(bytes, { maxImagePixels: 1_000_000 })).message).toBe('cats/big.png: is larger than 1 megapixels');
    expect((await refusal(bytes, { maxOutputBytes: 100 })).message).toMatch(/^2 images at 8×8×3 need/);
  });
});
