import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './types';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode, with its errors turned into one-line UsageErrors. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, usage: string, maxPositionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '').split('\n')[0];
    throw new UsageError(`${msg}; usage: ${usage}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'; usage: ${usage}`);
  }
  return parsed;
}
