/**
 * `deepboard arch summary FILE [--json]`: prints the Keras-style summary of an architecture
 * file (a Deepboard spec, or Keras / TensorFlow.js model JSON such as a model.json).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ArchitectureError, inferArchitecture } from '@/lib/arch/infer';
import { ArchitectureLoadError, formatSummaryTable, loadArchitectureJson, toSummaryJson } from '@/lib/arch/summary';
import { UsageError, type CliCommand } from '../types';

const USAGE = 'deepboard arch summary FILE [--json]';

function parse(argv: string[]): { file: string; json: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}; usage: ${USAGE}`);
  }
  const [file, ...extra] = parsed.positionals;
  if (file === undefined) throw new UsageError(`missing FILE; usage: ${USAGE}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'; usage: ${USAGE}`);
  return { file, json: parsed.values.json === true };
}

async function readJson(file: string, cwd: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new UsageError(`cannot read ${file}: ${reason}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

export const archSummaryCommand: CliCommand = {
  path: ['arch', 'summary'],
  summary: 'Print the layer-by-layer summary of an architecture spec or Keras/TensorFlow.js model JSON',
  usage: USAGE,
  async run(argv, io) {
    const { file, json } = parse(argv);
    const content = await readJson(file, io.cwd);
    try {
      const { spec, warnings } = loadArchitectureJson(content);
      const summary = inferArchitecture(spec);
      for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
      io.stdout(`${json ? JSON.stringify(toSummaryJson(summary), null, 2) : formatSummaryTable(summary)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof ArchitectureLoadError || error instanceof ArchitectureError) {
        throw new UsageError(`${file}: ${error.message}`);
      }
      throw error;
    }
  },
};
