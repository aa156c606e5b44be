import fc from 'fast-check';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { serialize } from './transformer';

// Keys with the characters superjson escapes, and the ones it refuses.
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a.b', 'c\\d', '.', '\\', '0', 'x.y.z'));
const leaf = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0),
  fc.integer(),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('tree'), { maxLength: 5 }),
  object: fc.dictionary(
    key.filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)),
    tie('tree'),
    { maxKeys: 5 },
  ),
}));

/**
 * The same JSON and type annotations as superjson. superjson also lists repeats of NaN and
 * bigint values under referentialEqualities (it tracks them like objects); for a primitive that
 * changes nothing when read, so it is not compared — reading both gives the same value.
 */
function expectSame(v: unknown) {
  const ours = serialize(v);
  const theirs = superjson.serialize(v);
  expect(ours.json).toStrictEqual(theirs.json);
  expect(ours.meta?.values).toStrictEqual(theirs.meta?.values);
  expect(superjson.deserialize(ours)).toStrictEqual(superjson.deserialize(theirs));
}

describe('the tRPC transformer', () => {
  it('writes exactly what superjson writes for trees of JSON values, Dates, undefined, NaN, ±Infinity, -0 and bigints (seeded, 2 000 cases)', () => {
    fc.assert(
      fc.property(tree, (v) => {
        expectSame(v);
      }),
      { seed: 20261127, numRuns: 2000 },
    );
  });

  it('hands what it does not write itself to superjson: Maps, Sets, shared objects, invalid Dates, class instances', () => {
    const shared = { x: 1 };
    class Point {
      constructor(readonly x: number) {}
    }
    // eslint-disable-next-line no-sparse-arrays -- an array with a hole is one of the cases
    for (const v of [{ m: new Map([[1, new Date(0)]]) }, [new Set([1, 2])], { a: shared, b: shared }, { d: new Date(Number.NaN) }, { p: new Point(1) }, [1, , 3]]) {
      expect(serialize(v)).toStrictEqual(superjson.serialize(v));
    }
    // An own __proto__ key (as JSON.parse makes) is refused the way superjson refuses it.
    expect(() => serialize(JSON.parse('{"__proto__": 1}'))).toThrow(/prototype pollution/);
  });

  it('writes a runs-table page (50 rows with Dates and NaN) as superjson does', () => {
    const page = {
      total: 4802,
      rows: Array.from({ length: 50 }, (_, i) => ({
        id: `run${i}`,
        createdAt: new Date(),
        finishedAt: null,
        params: Object.fromEntries(Array.from({ length: 10 }, (_, j) => [`p${j}`, j])),
        metrics: Object.fromEntries(Array.from({ length: 5 }, (_, j) => [`m${j}`, { last: 1, min: Number.NaN, max: 2 }])),
      })),
    };
    expectSame(page);
  });
});
