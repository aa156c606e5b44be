import { describe, expect, it } from 'vitest';
import { decodeIds, encodeText, encodeTexts, fitTokenizer, OOV_ID, PAD_ID, tokenize, ZTokenizer, type Tokenizer } from './text';

const withSettings = (t: Tokenizer, settings: Partial<Tokenizer['settings']>): Tokenizer => ({ ...t, settings: { ...t.settings, ...settings } });

describe('tokenize', () => {
  it('lowercases and splits on punctuation, keeping apostrophes inside words', () => {
    expect(tokenize("Don't stop—the café's 2nd best, really!")).toEqual(["don't", 'stop', 'the', "café's", '2nd', 'best', 'really']);
    expect(tokenize('Hi, you!', { lowercase: false, punctuation: 'keep' })).toEqual(['Hi', ',', 'you', '!']);
  });
});

describe('word tokenizer', () => {
  const train = ['the cat sat', 'the cat ran', 'the dog sat', null, 'a bird'];
  const tokenizer = fitTokenizer(train, { vocabSize: 5, sequenceLength: 4 });

  it('keeps the vocabSize − 2 most frequent train tokens, ties alphabetical', () => {
    expect(tokenizer.vocab).toEqual(['the', 'cat', 'sat']);
    expect(fitTokenizer(train, { vocabSize: 6 }).vocab).toEqual(['the', 'cat', 'sat', 'a']);
  });

  it('maps unknown words to OOV (1) and pads with 0 to the sequence length, post or pre', () => {
    expect([...encodeText(tokenizer, 'The cat flew')]).toEqual([2, 3, OOV_ID, PAD_ID]);
    expect([...encodeText(withSettings(tokenizer, { padding: 'pre' }), 'the cat')]).toEqual([0, 0, 2, 3]);
    expect([...encodeText(tokenizer, null)]).toEqual([0, 0, 0, 0]);
  });

  it('truncates long texts at the end or the start', () => {
    const long = 'sat the cat sat the cat';
    expect([...encodeText(tokenizer, long)]).toEqual([4, 2, 3, 4]);
    expect([...encodeText(withSettings(tokenizer, { truncating: 'pre' }), long)]).toEqual([3, 4, 2, 3]);
  });

  it('encodes a batch into one matrix and decodes ids back', () => {
    const { ids, rows, sequenceLength } = encodeTexts(tokenizer, ['the cat', 'dog']);
    expect([rows, sequenceLength]).toEqual([2, 4]);
    expect([...ids]).toEqual([2, 3, 0, 0, 1, 0, 0, 0]);
    expect(decodeIds(tokenizer, ids.subarray(0, 4))).toEqual(['the', 'cat']);
    expect(decodeIds(tokenizer, ids.subarray(4))).toEqual(['<oov>']);
  });

  it('is JSON-serialisable and refuses texts without words', () => {
    expect(ZTokenizer.parse(JSON.parse(JSON.stringify(tokenizer)))).toEqual(tokenizer);
    expect(() => fitTokenizer(['...', null])).toThrow('the train texts contain no words');
  });
});
