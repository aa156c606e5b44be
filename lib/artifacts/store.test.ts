import { createHash } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ArtifactKeyError, LocalArtifactStore, checkKey } from './store';

const checksumOf = (text: string) => createHash('sha256').update(text).digest('hex');

async function store() {
  return new LocalArtifactStore(await mkdtemp(path.join(os.tmpdir(), 'artifacts-')));
}

describe('local artifact store', () => {
  it('puts buffers and streams with size and sha256, and reads them back', async () => {
    const s = await store();
    const a = await s.put('teams/t1/a.bin', Buffer.from('hello'));
    expect(a).toEqual({ key: 'teams/t1/a.bin', size: 5, sha256: checksumOf('hello') });
    const b = await s.put('teams/t1/b.txt', Readable.from(['ab', 'cd']));
    expect(b.size).toBe(4);
    expect((await s.get('teams/t1/b.txt')).toString()).toBe('abcd');
    expect(await s.exists('teams/t1/missing')).toBe(false);
  });

  it('moves files in and deletes prefixes', async () => {
    const s = await store();
    const tmp = path.join(await mkdtemp(path.join(os.tmpdir(), 'src-')), 'f.csv');
    await writeFile(tmp, 'x,y\n1,2\n');
    const o = await s.putFile('teams/t1/d/v1/data.csv', tmp);
    expect(o.size).toBe(8);
    await s.deletePrefix('teams/t1/d');
    expect(await s.exists('teams/t1/d/v1/data.csv')).toBe(false);
  });

  it('leaves no partial file when a stream fails', async () => {
    const s = await store();
    const failing = new Readable({
      read() {
        this.push('partial');
        this.destroy(new Error('client went away'));
      },
    });
    await expect(s.put('teams/t1/x.bin', failing)).rejects.toThrow('client went away');
    expect(await s.exists('teams/t1/x.bin')).toBe(false);
    expect(await readdir(path.join(s.root, 'teams', 't1'))).toEqual([]);
  });

  it.each(['', '/abs', '../up', 'a/../b', 'a//b', 'a\\b'])('refuses the key %j', (key) => {
    expect(() => checkKey(key)).toThrow(ArtifactKeyError);
  });
});
