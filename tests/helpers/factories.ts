import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Prisma } from '@prisma/client';
import { getTemplate, type DatasetShape, type TemplateId } from '@/lib/arch/templates';
import type { ArchitectureSpec } from '@/lib/arch/spec';
import type { Role } from '@/lib/schemas/teams';
import type { CreateRunInput } from '@/lib/schemas/run-input';
import type { SplitSettings } from '@/lib/datasets/split';
import { prisma } from '@/lib/db/client';
import { createCaller } from '@/server/api/root';
import type { Context } from '@/server/api/trpc';
import { createArchitecture } from '@/server/services/architectures';
import { createFromUpload, createSynthetic, getDatasetVersion, stageUpload } from '@/server/services/datasets';
import { createProject } from '@/server/services/projects';
import { createRun } from '@/server/services/runs';
import { createTeam } from '@/server/services/teams';
import { signUp, type PublicUser } from '@/server/services/users';

/** Unique names so tests never collide, and each test creates what it needs. */
export function uid(prefix = 'x'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export const TEST_PASSWORD = 'correct-horse-42';

export async function makeUser(name = 'Test User'): Promise<PublicUser> {
  return signUp({ name, email: `${uid('user')}@example.test`, password: TEST_PASSWORD });
}

export async function makeTeam(owner?: PublicUser) {
  const user = owner ?? (await makeUser('Owner'));
  const team = await createTeam(user.id, { name: `Team ${uid('t')}` });
  return { owner: user, team };
}

export async function addMember(teamId: string, role: Role, user?: PublicUser): Promise<PublicUser> {
  const u = user ?? (await makeUser(role.toLowerCase()));
  await prisma.membership.create({ data: { teamId, userId: u.id, role } });
  return u;
}

export function callerFor(user: PublicUser | null) {
  const ctx: Context = { user, headers: new Headers() };
  return createCaller(ctx);
}

/** What the project-level factories need: a team, the member acting (its owner) and a project. */
export interface InProject {
  owner: { id: string };
  team: { id: string };
  project: { id: string };
}

/** A project in the team, created by the team's owner through the real service. */
export async function makeProject(t: { owner: { id: string }; team: { id: string } }, name = `Project ${uid('p')}`) {
  return createProject({ teamId: t.team.id, userId: t.owner.id, role: 'OWNER', input: { name, description: '' } });
}

/** A team, its owner and one project: the setup most tests start from. */
export async function makeWorkspace(opts: { owner?: PublicUser; project?: string } = {}) {
  const t = await makeTeam(opts.owner);
  const project = await makeProject(t, opts.project);
  return { ...t, project };
}
export type Workspace = Awaited<ReturnType<typeof makeWorkspace>>;

export const TEST_SPLIT = { train: 0.7, validation: 0.15, test: 0.15, seed: 1, stratify: 'label' } as const satisfies SplitSettings;

/**
 * Loan approvals as CSV: numeric and categorical features, a yes/no label (`approved`) and a
 * sensitive attribute (`sex`) whose base rates differ, so fairness reports have a gap to find.
 */
export function loansCsv(rows: number): string {
  const lines = ['age,income,sex,group,approved'];
  for (let i = 0; i < rows; i++) {
    const sex = i % 3 === 0 ? 'female' : 'male';
    lines.push(`${20 + (i % 50)},${1000 + ((i * 37) % 5000)},${sex},${i % 4 === 0 ? 'b' : 'a'},${(i * 7) % 10 < (sex === 'female' ? 3 : 6) ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

export interface DatasetOptions {
  name?: string;
  split?: SplitSettings;
  /** A CSV of `rows` loan approvals (the default, 200 rows), uploaded and confirmed as a user does. */
  rows?: number;
  /** Instead of the CSV: the synthetic loans generator (sex and ethnicity sensitive). */
  loans?: { rows: number; seed?: number; biasStrength?: number };
}

/**
 * A binary-labelled tabular dataset version with a sensitive attribute, ready to train. Returns
 * its ids and `inputs`, the width of an encoded example (what an MLP's input shape must be).
 */
export async function makeDataset(p: InProject, opts: DatasetOptions = {}) {
  const by = { teamId: p.team.id, userId: p.owner.id, role: 'OWNER' as const };
  const name = opts.name ?? `Loans ${uid('d')}`;
  const split = opts.split ?? TEST_SPLIT;
  let created: { datasetId: string; versionId: string; version: number };
  if (opts.loans) {
    created = await createSynthetic({ ...by, input: { projectId: p.project.id, name, split, spec: { generator: 'loans', settings: opts.loans } } });
  } else {
    const up = await stageUpload({ ...by, kind: 'csv', filename: 'loans.csv', body: Readable.from([Buffer.from(loansCsv(opts.rows ?? 200))]) });
    if (up.profile.kind !== 'csv') throw new Error('expected a CSV profile');
    const columns = up.profile.columns.map((c) => ({ name: c.name, type: c.type, role: c.name === 'approved' ? 'label' : c.name === 'sex' ? 'sensitive' : 'feature', useAsFeature: false }) as const);
    created = await createFromUpload({ ...by, input: { projectId: p.project.id, uploadId: up.uploadId, name, columns, task: { positiveClass: 'yes' }, split } });
  }
  const version = await getDatasetVersion(p.team.id, created.datasetId);
  const inputs = (version.preprocessing as { encoder: { featureNames: string[] } }).encoder.featureNames.length;
  return { ...created, name, inputs, version };
}

export interface ArchitectureOptions {
  name?: string;
  /** A given spec; else `template` (default the MLP classifier) built for `shape`. */
  spec?: ArchitectureSpec;
  template?: TemplateId;
  /** The dataset shape the template is built for; `inputs` is the short form for a binary tabular task. */
  shape?: DatasetShape;
  inputs?: number;
}

/** An architecture (version 1) in the project, from a template or a given spec. */
export async function makeArchitecture(p: InProject, opts: ArchitectureOptions = {}) {
  const shape = opts.shape ?? { inputShape: [opts.inputs ?? 4], task: 'binary' as const };
  const spec = opts.spec ?? getTemplate(opts.template ?? 'mlp-classifier').build(shape);
  return createArchitecture({ teamId: p.team.id, userId: p.owner.id, role: 'OWNER', input: { projectId: p.project.id, name: opts.name ?? `Arch ${uid('a')}`, spec } });
}

export type RunOverrides = Omit<Partial<CreateRunInput>, 'config'> & { config?: Partial<CreateRunInput['config']> };

/**
 * A run queued through the real createRun service (numbered, enqueued, notified). Without an
 * architecture it makes a dataset and an MLP that fits it. The config is the schema's defaults
 * over a supervised paradigm and one epoch (so a run that trains stays short).
 */
export async function makeRun(p: InProject, over: RunOverrides = {}) {
  let { architectureId, datasetId } = over;
  if (!architectureId) {
    const ds = datasetId ? null : await makeDataset(p);
    datasetId ??= ds!.datasetId;
    const inputs = ds?.inputs ?? (await datasetInputs(p.team.id, datasetId));
    architectureId = (await makeArchitecture(p, { inputs })).id;
  }
  const config = { paradigm: 'supervised', epochs: 1, ...over.config } as CreateRunInput['config'];
  return createRun({ teamId: p.team.id, userId: p.owner.id, role: 'OWNER', input: { ...over, projectId: p.project.id, architectureId, datasetId, config } });
}

async function datasetInputs(teamId: string, datasetId: string): Promise<number> {
  const v = await getDatasetVersion(teamId, datasetId);
  return (v.preprocessing as { encoder: { featureNames: string[] } }).encoder.featureNames.length;
}

/**
 * A run row stored as it is, in any state (a finished run with an evaluation, an external run
 * that is RUNNING), without queueing anything: for tests about reading runs. Numbered after the
 * project's last run unless `number` is given.
 */
export async function makeStoredRun(p: InProject, data: Partial<Prisma.RunUncheckedCreateInput> = {}) {
  const number = data.number ?? ((await prisma.run.aggregate({ where: { projectId: p.project.id }, _max: { number: true } }))._max.number ?? 0) + 1;
  return prisma.run.create({
    data: { name: `run ${number}`, paradigm: 'supervised', config: {}, createdById: p.owner.id, ...data, teamId: p.team.id, projectId: p.project.id, number },
  });
}
