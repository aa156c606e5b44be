import { describe, expect, it } from 'vitest';
import { compareForOrder, matchesFilter, MlflowFilterError, parseMlflowFilter, parseMlflowOrderBy, type FilterableRun } from './mlflow-filter';

function run(id: string, o: { metrics?: Record<string, number>; params?: Record<string, string>; tags?: Record<string, string>; status?: string; start?: number }): FilterableRun {
  return {
    attributes: { status: o.status ?? 'FINISHED', run_name: `run ${id}`, run_id: id, user_id: 'ana@x', artifact_uri: '', start_time: o.start ?? 0, end_time: null },
    metrics: new Map(Object.entries(o.metrics ?? {})),
    params: new Map(Object.entries(o.params ?? {})),
    tags: new Map(Object.entries(o.tags ?? {})),
  };
}

describe('MLflow filter syntax', () => {
  it('parses metrics, params, quoted tags and attributes joined by AND', () => {
    expect(parseMlflowFilter("metrics.acc > 0.9 AND params.lr = '0.01' and tags.`a b` = \"x\" AND attributes.status = 'FINISHED' AND attribute.start_time >= 5")).toEqual([
      { entity: 'metric', key: 'acc', comparator: '>', value: 0.9 },
      { entity: 'param', key: 'lr', comparator: '=', value: '0.01' },
      { entity: 'tag', key: 'a b', comparator: '=', value: 'x' },
      { entity: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
      { entity: 'attribute', key: 'start_time', comparator: '>=', value: 5 },
    ]);
    expect(parseMlflowFilter('metrics."val loss" <= -1e-3')).toEqual([{ entity: 'metric', key: 'val loss', comparator: '<=', value: -0.001 }]);
    expect(parseMlflowFilter("tags.team IN ('a', 'b') AND params.opt NOT IN ('sgd')")[1]).toEqual({ entity: 'param', key: 'opt', comparator: 'NOT IN', value: ['sgd'] });
    expect(parseMlflowFilter('')).toEqual([]);
  });

  it('rejects what MLflow rejects, saying why', () => {
    const bad: Array<[string, RegExp]> = [
      ['metrics.acc > 0.9 OR metrics.acc < 0.1', /OR is not supported/],
      ["metrics.acc = 'high'", /expected a number/],
      ['params.lr = 0.01', /quoted string/],
      ["params.lr > '0.1'", /not supported for params/],
      ["foo.bar = 'x'", /unknown entity 'foo'/],
      ["attributes.color = 'red'", /unknown attribute 'color'/],
      ['metrics.acc >', /expected a value/],
      ["params.lr = 'x", /unterminated/],
      ['acc > 1', /needs an entity prefix/],
    ];
    for (const [f, msg] of bad) expect(() => parseMlflowFilter(f), f).toThrow(msg);
    expect(() => parseMlflowFilter('metrics.acc ~ 1')).toThrow(MlflowFilterError);
  });

  it('evaluates clauses; missing values and NaN never match', () => {
    const runs = [run('1', { metrics: { acc: 0.95 }, params: { lr: '0.01' }, tags: { 'a b': 'x' } }), run('2', { metrics: { acc: 0.5 }, params: { lr: '0.1' } }), run('3', { metrics: { acc: NaN } })];
    const ids = (f: string) => runs.filter((r) => matchesFilter(r, parseMlflowFilter(f))).map((r) => r.attributes.run_id);
    expect(ids('metrics.acc > 0.9')).toEqual(['1']);
    expect(ids('metrics.acc != 0.5')).toEqual(['1']);
    expect(ids("params.lr LIKE '0.0%'")).toEqual(['1']);
    expect(ids("tags.`a b` ILIKE 'X'")).toEqual(['1']);
    expect(ids("attributes.run_name = 'run 2'")).toEqual(['2']);
    expect(ids("attributes.run_id IN ('2', '3')")).toEqual(['2', '3']);
  });

  it('orders by the given keys with missing values last, then newest first', () => {
    const runs = [run('a', { metrics: { acc: 0.5 }, start: 1 }), run('b', { start: 3 }), run('c', { metrics: { acc: 0.9 }, start: 2 })];
    expect(
      runs
        .slice()
        .sort(compareForOrder(parseMlflowOrderBy(['metrics.acc DESC'])))
        .map((r) => r.attributes.run_id),
    ).toEqual(['c', 'a', 'b']);
    expect(
      runs
        .slice()
        .sort(compareForOrder(parseMlflowOrderBy(['metrics.acc'])))
        .map((r) => r.attributes.run_id),
    ).toEqual(['a', 'c', 'b']);
    expect(
      runs
        .slice()
        .sort(compareForOrder([]))
        .map((r) => r.attributes.run_id),
    ).toEqual(['b', 'c', 'a']);
    expect(parseMlflowOrderBy(['start_time ASC'])).toEqual([{ entity: 'attribute', key: 'start_time', ascending: true }]);
    expect(() => parseMlflowOrderBy(['metrics.acc sideways'])).toThrow(/invalid order_by/);
  });
});
