/**
 * Image datasets from a zip with one folder per class (cats/001.png, dogs/002.jpg …), as users
 * make them by zipping a folder. The zip is untrusted input, so:
 * - names are checked before anything is extracted: absolute paths, `..` segments and
 *   backslashes are refused (zip slip), as are images outside a class folder or nested deeper;
 * - entry count and uncompressed bytes are capped twice: first by the sizes the central
 *   directory declares (cheap refusal), then by counting the bytes actually inflated, since a
 *   crafted header can lie (yauzl additionally fails an entry that inflates past its header);
 * - each image's pixel count is capped before sharp allocates it (a 50 KB PNG can be 50 000²);
 * - non-image entries are refused by name — a stray notes.txt or .heic usually means the zip
 *   is not what the user thinks — except the junk operating systems and tools add (__MACOSX/,
 *   .DS_Store, Thumbs.db, desktop.ini, dotfiles and dot-folders), which is skipped and listed.
 *
 * Images are auto-rotated by their EXIF orientation, composited onto black if transparent, and
 * resized with fit 'cover' by default: scaled to fill the target and centre-cropped, so
 * objects keep their aspect ratio and no padding bars teach the model about image borders.
 * 'contain' letterboxes onto black instead, for when the edges must not be cut.
 */
import sharp from 'sharp';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { z } from 'zod';
import { DatasetError } from '@/lib/datasets/errors';

/** A refused zip, naming the entry to blame (null when it is the zip as a whole). */
export class DatasetInputError extends DatasetError {
  constructor(
    readonly entry: string | null,
    readonly detail: string,
  ) {
    super(entry === null ? detail : `${entry}: ${detail}`);
    this.name = 'DatasetInputError';
  }
}

export const ZImageZipOptions = z.object({
  width: z.int().min(4).max(1024).default(64),
  height: z.int().min(4).max(1024).default(64),
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  fit: z.enum(['cover', 'contain']).default('cover'),
  /** Thumbnails kept per class for the dataset page. */
  previewsPerClass: z.int().min(0).max(32).default(4),
});
export type ImageZipOptions = z.infer<typeof ZImageZipOptions>;

export interface ImageZipLimits {
  maxEntries: number;
  /** Uncompressed bytes over all entries. */
  maxTotalBytes: number;
  /** Uncompressed bytes of one entry. */
  maxEntryBytes: number;
  /** Pixels of one source image (width × height). */
  maxImagePixels: number;
  /** Bytes of the decoded, resized pixel data returned. */
  maxOutputBytes: number;
}

export const DEFAULT_LIMITS: ImageZipLimits = {
  maxEntries: 100_000,
  maxTotalBytes: 2 * 1024 ** 3,
  maxEntryBytes: 50 * 1024 ** 2,
  maxImagePixels: 50_000_000,
  maxOutputBytes: 2 * 1024 ** 3,
};

export interface ImageDataset {
  /** Class folder names in code-point order; a label is an index into this list. */
  classNames: string[];
  /** Images per class, aligned with classNames. */
  counts: number[];
  width: number;
  height: number;
  channels: 1 | 3;
  /** All images, [images, height, width, channels] row-major, 0–255. */
  pixels: Uint8Array;
  labels: Int32Array;
  /** The zip entry each image came from. */
  entries: string[];
  /** Up to previewsPerClass small PNGs per class, of the resized images the model sees. */
  previews: { className: string; png: Buffer[] }[];
  /** Junk entries skipped (__MACOSX/ …), by name. */
  skipped: string[];
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;
const JUNK_NAMES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini']);
const DECODE_CONCURRENCY = 4;

// yauzl exports these helpers; @types/yauzl (2.10) predates them.
const yauzlHelpers = yauzl as unknown as {
  getFileNameLowLevel: (flags: number, raw: Buffer, extraFields: Entry['extraFields'], strict: boolean) => string;
};

interface ImageEntry {
  entry: Entry;
  name: string;
  className: string;
}

/** Reads, checks, decodes and resizes every image of a class-per-folder zip (a path or the bytes). */
export async function readImageZip(source: string | Uint8Array, options: z.input<typeof ZImageZipOptions> = {}, limits: Partial<ImageZipLimits> = {}): Promise<ImageDataset> {
  const o = ZImageZipOptions.parse(options);
  const cap = { ...DEFAULT_LIMITS, ...limits };
  const zip = await openZip(source);
  try {
    const { images, skipped, classNames } = await listEntries(zip, cap);
    const perImage = o.width * o.height * o.channels;
    if (images.length * perImage > cap.maxOutputBytes) {
      throw new DatasetInputError(
        null,
        `${images.length} images at ${o.width}×${o.height}×${o.channels} need ${mb(images.length * perImage)} MB, more than the ${mb(cap.maxOutputBytes)} MB allowed; choose a smaller size`,
      );
    }
    const pixels = new Uint8Array(images.length * perImage);
    const labels = new Int32Array(images.length);
    const classIndex = new Map(classNames.map((c, i) => [c, i]));
    let inflated = 0;
    // Entries are read one at a time (the zip is one file); decoding overlaps with reading.
    const pending = new Set<Promise<void>>();
    let failure: { error: unknown } | null = null;
    for (const [i, image] of images.entries()) {
      if (failure) break;
      const bytes = await readEntry(zip, image, cap, inflated);
      inflated += bytes.length;
      labels[i] = classIndex.get(image.className)!;
      const job: Promise<void> = decode(bytes, image.name, o, cap).then(
        (raw) => void pixels.set(raw, i * perImage),
        (error: unknown) => void (failure ??= { error }),
      );
      pending.add(job);
      void job.then(() => pending.delete(job));
      if (pending.size >= DECODE_CONCURRENCY) await Promise.race(pending);
    }
    await Promise.all(pending);
    if (failure) throw (failure as { error: unknown }).error;

    const counts = classNames.map((_, c) => labels.filter((l) => l === c).length);
    const previews = await Promise.all(
      classNames.map(async (className, c) => {
        const picks = [...labels.keys()].filter((i) => labels[i] === c).slice(0, o.previewsPerClass);
        const png = await Promise.all(
          picks.map((i) =>
            sharp(pixels.subarray(i * perImage, (i + 1) * perImage), { raw: { width: o.width, height: o.height, channels: o.channels } })
              .png()
              .toBuffer(),
          ),
        );
        return { className, png };
      }),
    );
    return { classNames, counts, width: o.width, height: o.height, channels: o.channels, pixels, labels, entries: images.map((im) => im.name), previews, skipped };
  } finally {
    zip.close();
  }
}

function openZip(source: string | Uint8Array): Promise<ZipFile> {
  const settings = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true };
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, zip?: ZipFile) => {
      if (error || !zip) reject(new DatasetInputError(null, `not a valid zip file (${firstLine(error)})`));
      else resolve(zip);
    };
    if (typeof source === 'string') yauzl.open(source, settings, done);
    else yauzl.fromBuffer(Buffer.from(source.buffer, source.byteOffset, source.byteLength), settings, done);
  });
}

/** Reads the central directory (no decompression) and settles the layout, or refuses the zip. */
async function listEntries(zip: ZipFile, cap: ImageZipLimits): Promise<{ images: ImageEntry[]; skipped: string[]; classNames: string[] }> {
  if (zip.entryCount > cap.maxEntries) {
    throw new DatasetInputError(null, `the zip holds ${zip.entryCount} entries; at most ${cap.maxEntries} are allowed`);
  }
  const files: { entry: Entry; name: string; parts: string[] }[] = [];
  const folders = new Set<string>();
  const skipped: string[] = [];
  let declared = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('error', (error: Error) => reject(new DatasetInputError(null, `the zip is damaged (${firstLine(error)})`)));
    zip.on('end', () => resolve());
    zip.on('entry', (entry: Entry) => {
      try {
        const raw = entry.fileName as unknown as Buffer;
        const name = yauzlHelpers.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
        const unsafe = yauzl.validateFileName(name);
        if (unsafe !== null) throw new DatasetInputError(name, `unsafe path (${unsafe.split(':')[0]}); refusing the zip`);
        const parts = name.split('/').filter((p) => p !== '');
        const base = parts[parts.length - 1] ?? '';
        if (parts.some((p) => p === '__MACOSX' || p.startsWith('.')) || JUNK_NAMES.has(base.toLowerCase())) {
          skipped.push(name);
        } else if (name.endsWith('/')) {
          folders.add(parts.join('/'));
        } else {
          if (entry.isEncrypted()) throw new DatasetInputError(name, 'is encrypted');
          declared += entry.uncompressedSize;
          if (entry.uncompressedSize > cap.maxEntryBytes) {
            throw new DatasetInputError(name, `is ${mb(entry.uncompressedSize)} MB uncompressed; at most ${mb(cap.maxEntryBytes)} MB per image`);
          }
          if (declared > cap.maxTotalBytes) {
            throw new DatasetInputError(name, `brings the zip past ${mb(cap.maxTotalBytes)} MB uncompressed`);
          }
          files.push({ entry, name, parts });
        }
        zip.readEntry();
      } catch (error) {
        reject(error);
      }
    });
    zip.readEntry();
  });

  // A zip of a folder wraps everything in that folder: look inside it.
  const first = files[0]?.parts[0];
  const wrapped = files.length > 0 && files.every((f) => f.parts.length >= 3 && f.parts[0] === first);
  const depth = wrapped ? 1 : 0;
  const images: ImageEntry[] = [];
  for (const f of files) {
    const parts = f.parts.slice(depth);
    if (parts.length === 1) {
      throw new DatasetInputError(f.name, 'sits outside a class folder; put each image in a folder named after its class (cats/001.png)');
    }
    if (parts.length > 2) {
      throw new DatasetInputError(f.name, `is nested inside class folder '${parts[0]}/'; images must sit directly in their class folder`);
    }
    if (!IMAGE_EXTENSIONS.test(f.name)) throw new DatasetInputError(f.name, 'is not a PNG or JPEG image');
    images.push({ entry: f.entry, name: f.name, className: parts[0]! });
  }
  if (images.length === 0) throw new DatasetInputError(null, 'the zip holds no images; expected one folder per class with PNG or JPEG files');
  const classNames = [...new Set(images.map((im) => im.className))].sort();
  for (const folder of folders) {
    const parts = folder.split('/').slice(depth);
    if (parts.length === 1 && !classNames.includes(parts[0]!)) throw new DatasetInputError(`${folder}/`, 'is a class folder without images');
  }
  if (classNames.length < 2) {
    throw new DatasetInputError(null, `the zip has a single class ('${classNames[0]}/'); a classifier needs at least two class folders`);
  }
  return { images, skipped, classNames };
}

/** Inflates one entry, counting the bytes that actually come out against the caps. */
function readEntry(zip: ZipFile, image: ImageEntry, cap: ImageZipLimits, inflatedBefore: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(image.entry, (error, stream) => {
      if (error || !stream) return reject(new DatasetInputError(image.name, `cannot be read from the zip (${firstLine(error)})`));
      const chunks: Buffer[] = [];
      let size = 0;
      const fail = (detail: string) => {
        stream.destroy();
        reject(new DatasetInputError(image.name, detail));
      };
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > cap.maxEntryBytes) return fail(`inflates past ${mb(cap.maxEntryBytes)} MB; refusing a possible zip bomb`);
        if (inflatedBefore + size > cap.maxTotalBytes) return fail(`brings the zip past ${mb(cap.maxTotalBytes)} MB uncompressed; refusing a possible zip bomb`);
        chunks.push(chunk);
      });
      stream.on('error', (e: Error) =>
        fail(/too many bytes|expected \d+/i.test(e.message) ? 'inflates to more bytes than its header declares; refusing a possible zip bomb' : `is corrupt in the zip (${firstLine(e)})`),
      );
      stream.on('end', () => resolve(Buffer.concat(chunks, size)));
    });
  });
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function decode(bytes: Buffer, name: string, o: ImageZipOptions, cap: ImageZipLimits): Promise<Buffer> {
  const png = bytes.subarray(0, 8).equals(PNG_SIGNATURE);
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!png && !jpeg) throw new DatasetInputError(name, 'is not a PNG or JPEG image (its content does not match)');
  try {
    let pipeline = sharp(bytes, { limitInputPixels: cap.maxImagePixels, failOn: 'error' })
      .rotate()
      .flatten({ background: '#000000' })
      .resize(o.width, o.height, { fit: o.fit, position: 'centre', background: '#000000' });
    pipeline = o.channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== o.channels || data.length !== o.width * o.height * o.channels) {
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}`);
    }
    return data;
  } catch (error) {
    const message = firstLine(error);
    if (/pixel limit/i.test(message)) {
      throw new DatasetInputError(name, `is larger than ${Math.round(cap.maxImagePixels / 1e6)} megapixels`);
    }
    throw new DatasetInputError(name, `cannot be decoded as an image (${message})`);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

function mb(bytes: number): number {
  return Math.round((bytes / 1024 ** 2) * 10) / 10;
}
