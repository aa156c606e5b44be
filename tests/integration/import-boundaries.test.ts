import { readdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The import boundaries (eslint.config.mjs) checked against the real config with ESLint's Node
 * API, so the rule cannot silently disappear from the lint: lib ↛ server/app/worker, worker ↛
 * server/app, app ↛ worker. And what the boundary is for: no web route handler's import graph
 * reaches TensorFlow.js (esbuild's metafile of each route, packages left external).
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const RULE = 'import-x/no-restricted-paths';

async function boundaryErrors(file: string, code: string) {
  const eslint = new ESLint({ cwd: root });
  // Linted as if the file were at `file`, without writing into the tree.
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === RULE || m.fatal).map((m) => ({ line: m.line, message: m.message }));
}

describe('import boundaries (ESLint)', () => {
  it('refuses lib/ importing server/ through the @/ alias and a relative path, naming the rule', async () => {
    const errors = await boundaryErrors(
      'lib/boundary-probe.ts',
      "import { createRun } from '@/server/services/runs';\nimport { DomainError } from '../server/services/errors';\nexport const probe = [createRun, DomainError];\n",
    );
    expect(errors).toHaveLength(2);
    expect(errors.map((e) => e.line)).toEqual([1, 2]);
    for (const e of errors) expect(e.message).toContain('lib/ is shared by the web server, the worker and the CLI');
  }, 60_000);

  it('refuses lib/ importing app/ or worker/', async () => {
    const errors = await boundaryErrors(
      'lib/sweeps/boundary-probe.ts',
      "import { runWorker } from '@/worker/main';\nimport { trpc } from '@/app/_trpc/client';\nexport const probe = [runWorker, trpc];\n",
    );
    expect(errors.map((e) => e.line)).toEqual([1, 2]);
  }, 60_000);

  it('refuses worker/ importing server/ or app/', async () => {
    const errors = await boundaryErrors('worker/boundary-probe.ts', "import { advanceSweep } from '@/server/services/sweeps';\nexport const probe = advanceSweep;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('The worker is a client of the control plane');
  }, 60_000);

  it('refuses app/ importing worker/', async () => {
    const errors = await boundaryErrors('app/api/boundary-probe/route.ts', "import { saveCheckpoint } from '@/worker/checkpoint/checkpoint';\nexport const probe = saveCheckpoint;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('The web app must not load worker code');
  }, 60_000);

  it('lets server/ import worker/ and lib/, and tests/ import anything', async () => {
    expect(
      await boundaryErrors('server/boundary-probe.ts', "import { runWorker } from '@/worker/main';\nimport { prisma } from '@/lib/db/client';\nexport const probe = [runWorker, prisma];\n"),
    ).toEqual([]);
    expect(
      await boundaryErrors(
        'tests/boundary-probe.ts',
        "import { runWorker } from '@/worker/main';\nimport { createRun } from '@/server/services/runs';\nexport const probe = [runWorker, createRun];\n",
      ),
    ).toEqual([]);
  }, 60_000);
});

/** The packages each entry's bundle imports, and which of its own files it pulled in. */
async function importGraph(entries: string[]) {
  const result = await build({
    entryPoints: entries.map((e) => path.join(root, e)),
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: path.join(root, '.boundary-probe-out'),
    alias: { '@': root },
    jsx: 'automatic',
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs)
    .filter((o) => o.entryPoint)
    .map((o) => ({ entry: o.entryPoint!, packages: o.imports.filter((i) => i.external).map((i) => i.path), files: Object.keys(o.inputs) }));
}

describe('the web app does not load TensorFlow.js', () => {
  it('no route handler under app/ reaches @tensorflow/* or worker/ (the checkpoint download zips with lib/artifacts/checkpoint-zip.ts)', async () => {
    const routes = readdirSync(path.join(root, 'app'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /(^|\/)route\.ts$/.test(f))
      .map((f) => path.join('app', f));
    expect(routes).toContain(path.join('app', 'api', 'runs', '[runId]', 'checkpoints', '[checkpointId]', 'route.ts'));
    const graphs = await importGraph(routes);
    expect(graphs).toHaveLength(routes.length);
    const offending = graphs
      .map((g) => ({ entry: g.entry, tensorflow: g.packages.filter((p) => p.startsWith('@tensorflow/')), worker: g.files.filter((f) => f.startsWith('worker/')) }))
      .filter((g) => g.tensorflow.length || g.worker.length);
    expect(offending).toEqual([]);
  }, 120_000);

  it('the check sees TensorFlow.js where it is loaded (the worker’s checkpoint code)', async () => {
    const [graph] = await importGraph(['worker/checkpoint/checkpoint.ts']);
    expect(graph!.packages).toContain('@tensorflow/tfjs');
  }, 120_000);
});
