import { TRPCError } from '@trpc/server';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import yazl from 'yazl';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactStore } from '@/lib/artifacts/store';
import { prisma } from '@/lib/db/client';
import { DomainError } from '@/server/services/errors';
import { stageUpload } from '@/server/services/datasets';
import { addMember, callerFor, loansCsv as csvOf, makeTeam, makeWorkspace, type Workspace } from '../helpers/factories';

let t: Workspace;
let projectId: string;

beforeAll(async () => {
  t = await makeWorkspace({ project: 'Data' });
  projectId = t.project.id;
});

async function stage(text: string | Buffer, kind: 'csv' | 'image-zip' = 'csv', imageOptions?: unknown, limitBytes?: number) {
  return stageUpload({
    teamId: t.team.id,
    userId: t.owner.id,
    role: 'OWNER',
    kind,
    filename: kind === 'csv' ? 'loans.csv' : 'images.zip',
    body: Readable.from([typeof text === 'string' ? Buffer.from(text) : text]),
    imageOptions,
    limitBytes,
  });
}

async function zipOf(entries: Array<[string, Buffer]>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(data, name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const png = (r: number, g: number, b: number) =>
  sharp({ create: { width: 12, height: 10, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

describe('CSV datasets', () => {
  it('stages, profiles, and becomes a version with roles, task, seeded split and bias profile', async () => {
    const up = await stage(csvOf(300));
    expect(up.profile.kind).toBe('csv');
    const profile = up.profile as Extract<typeof up.profile, { kind: 'csv' }>;
    expect(profile.rowCount).toBe(300);
    expect(profile.columns.map((c) => [c.name, c.type])).toEqual([
      ['age', 'numeric'],
      ['income', 'numeric'],
      ['sex', 'categorical'],
      ['group', 'categorical'],
      ['approved', 'boolean'],
    ]);
    const columns = profile.columns.map((c) => ({ name: c.name, type: c.type, role: c.name === 'approved' ? 'label' : c.name === 'sex' ? 'sensitive' : 'feature', useAsFeature: false }) as const);
    const api = callerFor(t.owner);
    const res = await api.datasets.createFromUpload({
      teamId: t.team.id,
      projectId,
      uploadId: up.uploadId,
      name: 'Loans',
      columns,
      task: { positiveClass: 'yes' },
      split: { train: 0.7, validation: 0.1, test: 0.2, seed: 7, stratify: 'label' },
    });
    expect(res.version).toBe(1);
    const v = await api.datasets.version({ teamId: t.team.id, datasetId: res.datasetId });
    expect(v.task).toEqual({ kind: 'binary', positiveClass: 'yes', negativeClass: 'no' });
    expect(v.split.counts).toEqual({ train: 210, validation: 30, test: 60 });
    expect(v.sensitiveColumns).toEqual(['sex']);
    // The bias profile equals a direct count.
    const rows = csvOf(300)
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const rate = (sex: string) => rows.filter((r) => r[2] === sex && r[4] === 'yes').length / rows.filter((r) => r[2] === sex).length;
    const bias = (v.profile as { bias: { tables: Array<{ columns: string[]; groups: Array<{ values: string[]; baseRate: number | null; count: number }> }> } }).bias;
    const bySex = bias.tables.find((tb) => tb.columns.join() === 'sex')!;
    expect(bySex.groups).toHaveLength(2);
    for (const g of bySex.groups) expect(g.baseRate).toBeCloseTo(rate(g.values[0]!), 12);
    // The upload is gone; the version's files are in the artifact store.
    expect(await prisma.datasetUpload.findUnique({ where: { id: up.uploadId } })).toBeNull();
    const row = await prisma.datasetVersion.findUniqueOrThrow({ where: { id: v.id } });
    const artifacts = row.artifacts as { data: { key: string } };
    expect((await artifactStore().get(artifacts.data.key)).toString()).toBe(csvOf(300));
  });

  it('refuses ragged rows, an empty file and bad UTF-8 with the line, keeping nothing', async () => {
    const before = await prisma.datasetUpload.count();
    const ragged = 'a,b,c\n1,2,3\n4,5\n';
    await expect(stage(ragged)).rejects.toThrow(/line 3/);
    await expect(stage('')).rejects.toThrow(/empty/);
    await expect(stage(Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0xff, 0xfe, 0x0a]))).rejects.toThrow(/UTF-8/);
    expect(await prisma.datasetUpload.count()).toBe(before);
  });

  it('refuses an upload over the size limit', async () => {
    const err = await stage(csvOf(2000), 'csv', undefined, 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses roles that do not fit: a text label, two labels', async () => {
    const up = await stage(csvOf(50));
    const profile = up.profile as Extract<typeof up.profile, { kind: 'csv' }>;
    const twoLabels = profile.columns.map((c) => ({ name: c.name, type: c.type, role: c.name === 'approved' || c.name === 'sex' ? 'label' : 'feature', useAsFeature: false }) as const);
    const err = await callerFor(t.owner)
      .datasets.createFromUpload({
        teamId: t.team.id,
        projectId,
        uploadId: up.uploadId,
        name: 'Bad roles',
        columns: twoLabels,
        split: { train: 0.8, validation: 0, test: 0.2, seed: 1, stratify: 'label' },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('BAD_REQUEST');
    expect((err as TRPCError).message).toMatch(/only one label/);
  });
});

describe('image datasets', () => {
  it('turns a zip of class folders into a version with counts and previews', async () => {
    const zip = await zipOf([
      ['cats/1.png', await png(200, 10, 10)],
      ['cats/2.png', await png(210, 20, 10)],
      ['dogs/1.png', await png(10, 10, 200)],
      ['dogs/2.png', await png(10, 30, 220)],
      ['__MACOSX/._junk', Buffer.from('x')],
    ]);
    const up = await stage(zip, 'image-zip', { width: 8, height: 8, channels: 1 });
    const p = up.profile as Extract<typeof up.profile, { kind: 'image-zip' }>;
    expect(p.classNames).toEqual(['cats', 'dogs']);
    expect(p.counts).toEqual([2, 2]);
    expect(p.previews[0]!.images[0]).toMatch(/^data:image\/png;base64,/);
    const res = await callerFor(t.owner).datasets.createFromUpload({
      teamId: t.team.id,
      projectId,
      uploadId: up.uploadId,
      name: 'Pets',
      split: { train: 0.5, validation: 0, test: 0.5, seed: 3, stratify: 'label' },
      augmentation: { horizontalFlip: true },
    });
    const v = await callerFor(t.owner).datasets.version({ teamId: t.team.id, datasetId: res.datasetId });
    expect(v.kind).toBe('image');
    expect(v.split.counts).toEqual({ train: 2, validation: 0, test: 2 });
    expect((v.preprocessing as { augmentation: { horizontalFlip: boolean } }).augmentation.horizontalFlip).toBe(true);
    const row = await prisma.datasetVersion.findUniqueOrThrow({ where: { id: v.id } });
    expect((await artifactStore().get((row.artifacts as { pixels: { key: string } }).pixels.key)).length).toBe(4 * 8 * 8);
  });

  it('refuses zip-slip paths, corrupt images and non-images, naming the entry', async () => {
    const good = await png(1, 2, 3);
    // yazl refuses to write '../' names, so the name is patched in the finished archive.
    const slip = await zipOf([
      ['AB/evil/1.png', good],
      ['a/1.png', good],
      ['b/1.png', good],
    ]);
    const patched = Buffer.from(slip.toString('latin1').split('AB/evil/1.png').join('../evil/1.png'), 'latin1');
    await expect(stage(patched, 'image-zip')).rejects.toThrow(/\.\.\/evil\/1\.png/);
    await expect(
      stage(
        await zipOf([
          ['a/1.png', good],
          ['b/broken.png', Buffer.from('not a png at all')],
        ]),
        'image-zip',
      ),
    ).rejects.toThrow(/b\/broken\.png/);
    await expect(
      stage(
        await zipOf([
          ['a/1.png', good],
          ['b/notes.txt', Buffer.from('hello')],
        ]),
        'image-zip',
      ),
    ).rejects.toThrow(/b\/notes\.txt/);
    await expect(stage(Buffer.from('PK\u0003\u0004 definitely not a zip'), 'image-zip')).rejects.toThrow();
  });
});

describe('synthetic datasets and access', () => {
  it('generates loan approvals with a planted bias the profile shows, shapes and sequences', async () => {
    const api = callerFor(t.owner);
    const split = { train: 0.7, validation: 0.15, test: 0.15, seed: 1, stratify: 'label' as const };
    const fair = await api.datasets.createSynthetic({ teamId: t.team.id, projectId, name: 'Loans fair', split, spec: { generator: 'loans', settings: { rows: 3000, seed: 5, biasStrength: 0 } } });
    const biased = await api.datasets.createSynthetic({ teamId: t.team.id, projectId, name: 'Loans biased', split, spec: { generator: 'loans', settings: { rows: 3000, seed: 5, biasStrength: 1 } } });
    const gap = async (datasetId: string) => {
      const v = await api.datasets.version({ teamId: t.team.id, datasetId });
      const bias = (v.profile as { bias: { tables: Array<{ columns: string[]; gap: { difference: number } | null }> } }).bias;
      return bias.tables.find((tb) => tb.columns.join() === 'sex')!.gap!.difference;
    };
    expect(await gap(biased.datasetId)).toBeGreaterThan((await gap(fair.datasetId)) + 0.1);
    const shapes = await api.datasets.createSynthetic({ teamId: t.team.id, projectId, name: 'Shapes', split, spec: { generator: 'shapes', settings: { count: 60, seed: 2 } } });
    expect((await api.datasets.version({ teamId: t.team.id, datasetId: shapes.datasetId })).rowCount).toBe(60);
    const seq = await api.datasets.createSynthetic({ teamId: t.team.id, projectId, name: 'Waves', split, spec: { generator: 'sequences', settings: { count: 40, seed: 2 } } });
    expect((await api.datasets.version({ teamId: t.team.id, datasetId: seq.datasetId })).kind).toBe('sequence');
    // A second version of the same dataset.
    const v2 = await api.datasets.createSynthetic({
      teamId: t.team.id,
      projectId,
      datasetId: fair.datasetId,
      name: 'Loans fair',
      message: 'more rows',
      split,
      spec: { generator: 'loans', settings: { rows: 4000, seed: 6 } },
    });
    expect(v2.version).toBe(2);
  });

  it('keeps datasets and uploads inside the team; viewers cannot create', async () => {
    const other = await makeTeam();
    const mine = await callerFor(t.owner).datasets.list({ teamId: t.team.id });
    expect(mine.length).toBeGreaterThan(0);
    const err = await callerFor(other.owner)
      .datasets.get({ teamId: other.team.id, datasetId: mine[0]!.id })
      .catch((e: unknown) => e);
    expect((err as TRPCError).code).toBe('NOT_FOUND');
    const up = await stage(csvOf(20));
    const err2 = await callerFor(other.owner)
      .datasets.upload({ teamId: other.team.id, uploadId: up.uploadId })
      .catch((e: unknown) => e);
    expect((err2 as TRPCError).code).toBe('NOT_FOUND');
    const viewer = await addMember(t.team.id, 'VIEWER');
    const err3 = await callerFor(viewer)
      .datasets.createSynthetic({ teamId: t.team.id, projectId, name: 'x', split: { train: 1, validation: 0, test: 0, seed: 0, stratify: 'none' }, spec: { generator: 'loans', settings: {} } })
      .catch((e: unknown) => e);
    expect((err3 as TRPCError).code).toBe('FORBIDDEN');
  });
});

describe('text datasets', () => {
  it('a CSV with a free-text column becomes a text dataset with a tokenizer fitted on the train split', async () => {
    const words = ['great', 'awful', 'fine', 'terrible', 'lovely', 'boring', 'brilliant', 'dull'];
    const lines = ['review,sentiment'];
    for (let i = 0; i < 120; i++) {
      const good = i % 2 === 0;
      const text = Array.from({ length: 12 }, (_, j) => words[(i + j * (good ? 2 : 3)) % words.length]).join(' ');
      lines.push(`"${good ? 'I found it' : 'Honestly it was'} ${text}, really ${good ? 'great' : 'awful'}",${good ? 'positive' : 'negative'}`);
    }
    const up = await stage(lines.join('\n') + '\n');
    const profile = up.profile as Extract<typeof up.profile, { kind: 'csv' }>;
    expect(profile.columns[0]!.type).toBe('text');
    const columns = profile.columns.map((c) => ({ name: c.name, type: c.type, role: c.name === 'sentiment' ? 'label' : 'feature', useAsFeature: false }) as const);
    const res = await callerFor(t.owner).datasets.createFromUpload({
      teamId: t.team.id,
      projectId,
      uploadId: up.uploadId,
      name: 'Reviews',
      columns,
      tokenizer: { vocabSize: 50, sequenceLength: 20 },
      split: { train: 0.8, validation: 0, test: 0.2, seed: 1, stratify: 'label' },
    });
    const v = await callerFor(t.owner).datasets.version({ teamId: t.team.id, datasetId: res.datasetId });
    expect(v.kind).toBe('text');
    const tokenizer = (v.preprocessing as { tokenizer: { vocab: string[]; settings: { sequenceLength: number } } }).tokenizer;
    expect(tokenizer.settings.sequenceLength).toBe(20);
    expect(tokenizer.vocab).toContain('great');
  });
});

describe('time series from a CSV', () => {
  it('cuts rows into forecasting windows with a chronological split', async () => {
    const lines = ['temp,load'];
    for (let i = 0; i < 200; i++) lines.push(`${(20 + 5 * Math.sin(i / 10)).toFixed(3)},${(100 + i + 3 * Math.cos(i / 7)).toFixed(3)}`);
    const up = await stage(lines.join('\n') + '\n');
    const profile = up.profile as Extract<typeof up.profile, { kind: 'csv' }>;
    const columns = profile.columns.map((c) => ({ name: c.name, type: c.type, role: 'feature', useAsFeature: false }) as const);
    const api = callerFor(t.owner);
    const res = await api.datasets.createFromUpload({
      teamId: t.team.id,
      projectId,
      uploadId: up.uploadId,
      name: 'Load forecast',
      columns,
      timeSeries: { window: 24, stride: 2, horizon: 1, target: 'load' },
      split: { train: 0.7, validation: 0.1, test: 0.2, seed: 0, stratify: 'none' },
    });
    const v = await api.datasets.version({ teamId: t.team.id, datasetId: res.datasetId });
    // (200 − 24 − 1) / 2 + 1 = 88 windows
    expect(v.kind).toBe('sequence');
    expect(v.rowCount).toBe(88);
    expect(v.split.counts).toEqual({ train: 62, validation: 9, test: 17 });
    const row = await prisma.datasetVersion.findUniqueOrThrow({ where: { id: v.id } });
    const a = row.artifacts as { targets: { key: string }; series: { key: string } };
    const targets = new Float32Array(new Uint8Array(await artifactStore().get(a.targets.key)).buffer);
    expect(targets).toHaveLength(88);
    expect(targets[0]).toBeCloseTo(100 + 24 + 3 * Math.cos(24 / 7), 2);
    const bad = await stage('a,b\n1,2\n3,\n5,6\n7,8\n');
    const bp = bad.profile as Extract<typeof bad.profile, { kind: 'csv' }>;
    const err = await api.datasets
      .createFromUpload({
        teamId: t.team.id,
        projectId,
        uploadId: bad.uploadId,
        name: 'Gappy',
        columns: bp.columns.map((c) => ({ name: c.name, type: c.type, role: 'feature', useAsFeature: false }) as const),
        timeSeries: { window: 1, horizon: 1, target: 'a' },
        split: { train: 0.6, validation: 0.2, test: 0.2, seed: 0, stratify: 'none' },
      })
      .catch((e: unknown) => e);
    expect((err as TRPCError).message).toMatch(/line 3: column 'b'/);
  });
});
