import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { env } from '../env';
import { dataDir } from '../paths';

/**
 * Where dataset files, checkpoints and other run artifacts live. One interface, so a deployment
 * can swap the local folder for object storage; metadata (keys, sizes, hashes) lives in Postgres.
 * Keys are relative paths such as `teams/<id>/datasets/<id>/v1/data.csv`.
 */
export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
}

export interface ArtifactStore {
  put(key: string, data: Buffer | Readable | AsyncIterable<Uint8Array>): Promise<StoredObject>;
  /** Moves a local file in (same file system: a rename, no copy). */
  putFile(key: string, file: string): Promise<StoredObject>;
  /** Moves an object to another key (a rename for the local store). */
  move(fromKey: string, toKey: string): Promise<StoredObject>;
  get(key: string): Promise<Buffer>;
  stream(key: string): Readable;
  exists(key: string): Promise<boolean>;
  size(key: string): Promise<number>;
  delete(key: string): Promise<void>;
  /** Deletes every key under a prefix (e.g. a dataset version that failed half-way). */
  deletePrefix(prefix: string): Promise<void>;
}

export class ArtifactKeyError extends Error {}

/** A key must stay inside the store: no absolute paths, no `..`, no empty segments. */
export function checkKey(key: string): string {
  const parts = key.split('/');
  if (!key || key.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) {
    throw new ArtifactKeyError(`invalid artifact key "${key}"`);
  }
  return key;
}

export class LocalArtifactStore implements ArtifactStore {
  constructor(readonly root: string) {}

  private file(key: string): string {
    return path.join(this.root, ...checkKey(key).split('/'));
  }

  private async tmpFor(target: string): Promise<string> {
    await mkdir(path.dirname(target), { recursive: true });
    return `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  async put(key: string, data: Buffer | Readable | AsyncIterable<Uint8Array>): Promise<StoredObject> {
    const target = this.file(key);
    const tmp = await this.tmpFor(target);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      const source = Buffer.isBuffer(data) ? Readable.from([data]) : Readable.from(data as AsyncIterable<Uint8Array>);
      await pipeline(source, meter, createWriteStream(tmp));
      // Written in full, then renamed: readers never see half a file.
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  async putFile(key: string, file: string): Promise<StoredObject> {
    const target = this.file(key);
    await mkdir(path.dirname(target), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    try {
      await rename(file, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await this.put(key, createReadStream(file));
      await rm(file, { force: true });
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  move(fromKey: string, toKey: string): Promise<StoredObject> {
    return this.putFile(toKey, this.file(fromKey));
  }

  get(key: string): Promise<Buffer> {
    return readFile(this.file(key));
  }

  stream(key: string): Readable {
    return createReadStream(this.file(key));
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.file(key)).then(
      () => true,
      () => false,
    );
  }

  async size(key: string): Promise<number> {
    return (await stat(this.file(key))).size;
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(path.join(this.root, ...checkKey(prefix.replace(/\/+$/, '')).split('/')), { recursive: true, force: true });
  }
}

let store: ArtifactStore | null = null;

/** The installation's store: DEEPBOARD_ARTIFACTS_DIR, else <data dir>/artifacts. */
export function artifactStore(): ArtifactStore {
  store ??= new LocalArtifactStore(env().DEEPBOARD_ARTIFACTS_DIR ?? path.join(dataDir(), 'artifacts'));
  return store;
}
