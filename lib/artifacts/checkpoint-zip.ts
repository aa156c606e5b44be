/**
 * A checkpoint as one downloadable zip that mirrors its store layout:
 *
 *   checkpoint.json
 *   <part>/model.json, <part>/weights.bin
 *
 * Unzipped, each <part>/model.json loads with tfjs-node's `tf.loadLayersModel('file://…/model.json')`
 * (or the worker's directoryHandler()) and in Python with tensorflowjs's converter. No TensorFlow.js
 * here: the web app serves these zips.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import yazl from 'yazl';
import type { ArtifactStore } from '@/lib/artifacts/store';
import { CHECKPOINT_JSON, CheckpointError, MODEL_JSON, readCheckpointMeta, WEIGHTS_BIN } from './checkpoint-meta';

/** The zip as a buffer (checkpoints of the models trained here are megabytes, not gigabytes). */
export async function zipCheckpoint(store: ArtifactStore, prefix: string): Promise<Buffer> {
  const meta = await readCheckpointMeta(store, prefix);
  const base = prefix.replace(/\/+$/, '');
  const zip = new yazl.ZipFile();
  // A fixed date keeps the bytes of a zip a function of its contents.
  const mtime = new Date(meta.savedAt);
  zip.addBuffer(await store.get(`${base}/${CHECKPOINT_JSON}`), CHECKPOINT_JSON, { mtime });
  for (const part of meta.parts) {
    for (const file of [MODEL_JSON, WEIGHTS_BIN]) {
      zip.addBuffer(await store.get(`${base}/${part}/${file}`), `${part}/${file}`, { mtime, compress: file === MODEL_JSON });
    }
  }
  zip.end();
  return streamToBuffer(zip.outputStream);
}

async function streamToBuffer(stream: Readable | NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every file in a zip, by entry name (folders left out). */
export async function readZip(buffer: Buffer): Promise<Map<string, Buffer>> {
  const zipfile = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zf) => (err ? reject(err) : resolve(zf))));
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zipfile.on('error', reject);
    zipfile.on('end', resolve);
    zipfile.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) {
        zipfile.readEntry();
        return;
      }
      zipfile.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        streamToBuffer(stream).then((data) => {
          files.set(entry.fileName, data);
          zipfile.readEntry();
        }, reject);
      });
    });
    zipfile.readEntry();
  });
  return files;
}

/** Writes a zip's files under `dir`, refusing entries that would land outside it. */
export async function unzipTo(buffer: Buffer, dir: string): Promise<string[]> {
  const root = path.resolve(dir);
  const written: string[] = [];
  for (const [name, data] of await readZip(buffer)) {
    const target = path.resolve(root, name);
    if (!target.startsWith(root + path.sep)) throw new CheckpointError(`zip entry '${name}' points outside the folder`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data);
    written.push(name);
  }
  return written;
}
