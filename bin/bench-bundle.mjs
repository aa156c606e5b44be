#!/usr/bin/env node
// `npm run bench:bundle`: the P7 GPU training benchmark as one file for a GPU host that has only
// Node and the GPU driver. Writes dist/bench-gpu/:
//   p7-gpu-training.mjs                     the benchmark and everything it imports (esbuild)
//   node_modules/webgpu/                    index.js, package.json, dist/linux-x64/dawn.node
//   node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm   for the wasm comparison
//   run.sh                                  sets XDG_RUNTIME_DIR and runs it (args pass through)
// Copy the folder (and a Node binary if the host has none) and run `./run.sh [--quick]`.
import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'bench-gpu');
const require = createRequire(path.join(root, 'package.json'));
const platform = `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;

await rm(out, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'bench', 'p7-gpu-training.ts')],
  outfile: path.join(out, 'p7-gpu-training.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: path.join(root, 'tsconfig.json'),
  // Native or optional packages load at run time from node_modules beside the bundle.
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  // CommonJS dependencies (tfjs, emscripten's wasm loader) expect require and __dirname.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { dirname as __pathDirname } from 'node:path';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      'globalThis.require ??= __createRequire(import.meta.url);',
      'globalThis.__filename ??= __fileURLToPath(import.meta.url);',
      'globalThis.__dirname ??= __pathDirname(globalThis.__filename);',
    ].join('\n'),
  },
  logLevel: 'warning',
  legalComments: 'none',
});

const webgpuDir = path.dirname(require.resolve('webgpu/package.json'));
const webgpuOut = path.join(out, 'node_modules', 'webgpu');
await mkdir(path.join(webgpuOut, 'dist', platform), { recursive: true });
for (const f of ['index.js', 'package.json']) await copyFile(path.join(webgpuDir, f), path.join(webgpuOut, f));
await copyFile(path.join(webgpuDir, 'dist', platform, 'dawn.node'), path.join(webgpuOut, 'dist', platform, 'dawn.node'));

const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
const wasmOut = path.join(out, 'node_modules', '@tensorflow', 'tfjs-backend-wasm');
await mkdir(path.join(wasmOut, 'dist'), { recursive: true });
await writeFile(path.join(wasmOut, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-backend-wasm', version: require('@tensorflow/tfjs-backend-wasm/package.json').version }));
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) await copyFile(path.join(wasmDir, f), path.join(wasmOut, 'dist', f));

await writeFile(
  path.join(out, 'run.sh'),
  `#!/bin/sh
# P7 GPU training benchmark. Needs Node >= 20 (NODE=/path/to/node to use another binary) and, for
# WebGPU, the Vulkan loader + the GPU driver's ICD (see README "GPU hosts").
here="$(cd "$(dirname "$0")" && pwd)"
export XDG_RUNTIME_DIR="\${XDG_RUNTIME_DIR:-/tmp}"
exec "\${NODE:-node}" "$here/p7-gpu-training.mjs" "$@"
`,
);
await chmod(path.join(out, 'run.sh'), 0o755);
console.log(`wrote ${path.relative(root, out)}/ (p7-gpu-training.mjs, node_modules/webgpu for ${platform}, wasm binaries, run.sh)`);
