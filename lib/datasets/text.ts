/**
 * A word tokenizer for text datasets, fitted on the train split and stored (as JSON) with the
 * dataset version so training and later predictions map words to the same ids.
 *
 * Tokens are runs of letters and digits (Unicode-aware; apostrophes inside words kept, so
 * "don't" is one token), lowercased; punctuation splits words and is dropped, or kept as
 * one-character tokens with punctuation: 'keep'. Ids: 0 = padding, 1 = out of vocabulary,
 * 2 … vocabSize − 1 = the most frequent train tokens (ties in alphabetical order). As in
 * Keras, vocabSize counts every id, padding and OOV included, so it is the Embedding input size.
 */
import { z } from 'zod';
import { DatasetError } from './errors';

export const PAD_ID = 0;
export const OOV_ID = 1;

export const ZTokenizerSettings = z.object({
  /** Every id, padding and OOV included (Keras's num_words); at least 3. */
  vocabSize: z.int().min(3).max(1_000_000).default(10_000),
  /** Every encoded text has exactly this many ids. */
  sequenceLength: z.int().min(1).max(100_000).default(200),
  /** Where padding goes when a text is short ('pre' suits recurrent layers reading left to right). */
  padding: z.enum(['pre', 'post']).default('post'),
  /** Which end is cut when a text is long. */
  truncating: z.enum(['pre', 'post']).default('post'),
  lowercase: z.boolean().default(true),
  punctuation: z.enum(['drop', 'keep']).default('drop'),
});
export type TokenizerSettings = z.infer<typeof ZTokenizerSettings>;

export const ZTokenizer = z.object({
  kind: z.literal('word'),
  version: z.literal(1),
  settings: ZTokenizerSettings,
  /** vocab[i] has id i + 2. */
  vocab: z.array(z.string()),
});
export type Tokenizer = z.infer<typeof ZTokenizer>;

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const WORD_OR_PUNCTUATION = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*|[\p{P}\p{S}]/gu;

/** The tokens of one text, as the tokenizer with these settings sees them. */
export function tokenize(text: string, settings: Pick<TokenizerSettings, 'lowercase' | 'punctuation'> = { lowercase: true, punctuation: 'drop' }): string[] {
  const source = settings.lowercase ? text.toLowerCase() : text;
  return source.match(settings.punctuation === 'keep' ? WORD_OR_PUNCTUATION : WORD) ?? [];
}

/** Fits the vocabulary on (train) texts; missing texts (null) are skipped. */
export function fitTokenizer(texts: Iterable<string | null>, settings: z.input<typeof ZTokenizerSettings> = {}): Tokenizer {
  const parsed = ZTokenizerSettings.parse(settings);
  const counts = new Map<string, number>();
  for (const text of texts) {
    if (text === null) continue;
    for (const token of tokenize(text, parsed)) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  if (counts.size === 0) throw new DatasetError('the train texts contain no words');
  const vocab = [...counts]
    .sort(([ta, na], [tb, nb]) => nb - na || (ta < tb ? -1 : ta > tb ? 1 : 0))
    .slice(0, parsed.vocabSize - 2)
    .map(([token]) => token);
  return { kind: 'word', version: 1, settings: parsed, vocab };
}

/** A reusable encoder for one tokenizer (builds the token → id map once). */
export function textEncoder(tokenizer: Tokenizer): (text: string | null) => Int32Array {
  const ids = new Map(tokenizer.vocab.map((t, i) => [t, i + 2]));
  const { sequenceLength: length, padding, truncating } = tokenizer.settings;
  return (text) => {
    const tokens = text === null ? [] : tokenize(text, tokenizer.settings);
    const kept = tokens.length <= length ? tokens : truncating === 'pre' ? tokens.slice(tokens.length - length) : tokens.slice(0, length);
    const out = new Int32Array(length); // zeros = padding
    const start = padding === 'pre' ? length - kept.length : 0;
    kept.forEach((t, i) => (out[start + i] = ids.get(t) ?? OOV_ID));
    return out;
  };
}

/** Encodes one text to exactly sequenceLength ids. */
export function encodeText(tokenizer: Tokenizer, text: string | null): Int32Array {
  return textEncoder(tokenizer)(text);
}

/** Encodes texts into one row-major [texts, sequenceLength] id matrix. */
export function encodeTexts(tokenizer: Tokenizer, texts: readonly (string | null)[]): { ids: Int32Array; rows: number; sequenceLength: number } {
  const encode = textEncoder(tokenizer);
  const length = tokenizer.settings.sequenceLength;
  const ids = new Int32Array(texts.length * length);
  texts.forEach((t, i) => ids.set(encode(t), i * length));
  return { ids, rows: texts.length, sequenceLength: length };
}

/** The tokens back from ids (padding dropped, OOV as '<oov>'), for previews and debugging. */
export function decodeIds(tokenizer: Tokenizer, ids: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === PAD_ID) continue;
    out.push(id === OOV_ID ? '<oov>' : (tokenizer.vocab[id - 2] ?? '<oov>'));
  }
  return out;
}
