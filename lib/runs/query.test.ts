import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RUN_STATUSES } from '../schemas/run-input';
import {
  formatField,
  formatQuery,
  formatSortSpec,
  parseField,
  parseQuery,
  parseSortField,
  parseSortSpec,
  QuerySyntaxError,
  ZRunSearchInput,
  type FieldRef,
  type QueryNode,
  type QueryValue,
} from './query';

const metric = (key: string, context: 'train' | 'validation' | 'test' | 'system' = 'train', aggregate: 'last' | 'min' | 'max' = 'last'): FieldRef => ({
  kind: 'metric',
  key,
  context,
  aggregate,
});
const param = (...path: string[]): FieldRef => ({ kind: 'param', path });
const attr = (name: Extract<FieldRef, { kind: 'attribute' }>['name']): FieldRef => ({ kind: 'attribute', name });
const num = (value: number): QueryValue => ({ type: 'number', value });
const str = (value: string): QueryValue => ({ type: 'string', value });
const cmp = (field: FieldRef, op: string, value: QueryValue) => ({ type: 'compare', field, op, value }) as QueryNode;

/** A comparison standing for itself in precedence tests. */
const A = cmp(attr('number'), '=', num(1));
const B = cmp(attr('number'), '=', num(2));
const C = cmp(attr('number'), '=', num(3));

function syntaxError(text: string, parse: (t: string) => unknown = parseQuery): QuerySyntaxError {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof QuerySyntaxError) return e;
    throw e;
  }
  throw new Error(`'${text}' parsed without an error`);
}

describe('parseQuery: fields', () => {
  it('reads metrics by context and aggregate', () => {
    expect(parseQuery('metrics.loss < 1')).toEqual(cmp(metric('loss'), '<', num(1)));
    expect(parseQuery('metrics.val_accuracy > 0.9')).toEqual(cmp(metric('accuracy', 'validation'), '>', num(0.9)));
    expect(parseQuery('metrics.test_accuracy >= 0.9')).toEqual(cmp(metric('accuracy', 'test'), '>=', num(0.9)));
    expect(parseQuery('metrics.sys_memory < 1e9')).toEqual(cmp(metric('memory', 'system'), '<', num(1e9)));
    expect(parseQuery('metrics.val_loss.min < 0.2')).toEqual(cmp(metric('loss', 'validation', 'min'), '<', num(0.2)));
    expect(parseQuery('metrics.val_accuracy.MAX > 0.9')).toEqual(cmp(metric('accuracy', 'validation', 'max'), '>', num(0.9)));
    expect(parseQuery('metrics.loss.last = 1')).toEqual(cmp(metric('loss'), '=', num(1)));
    expect(parseQuery('Metrics.loss = 1')).toEqual(cmp(metric('loss'), '=', num(1)));
  });

  it('reads keys that are not plain names: dotted, hyphenated, quoted', () => {
    expect(parseQuery('metrics.loss.total < 1')).toEqual(cmp(metric('loss.total'), '<', num(1)));
    expect(parseQuery('metrics.top-1.max > 0.5')).toEqual(cmp(metric('top-1', 'train', 'max'), '>', num(0.5)));
    expect(parseQuery('metrics."top 1 acc".min > 0.5')).toEqual(cmp(metric('top 1 acc', 'train', 'min'), '>', num(0.5)));
    expect(parseQuery('metrics."loss.max" > 0.5')).toEqual(cmp(metric('loss.max'), '>', num(0.5)));
    expect(parseQuery("metrics.'val_f1 score' > 0.5")).toEqual(cmp(metric('f1 score', 'validation'), '>', num(0.5)));
    expect(parseQuery('metrics.max = 1')).toEqual(cmp(metric('max'), '=', num(1)));
  });

  it('reads params with aliases', () => {
    expect(parseQuery('params.lr < 0.01')).toEqual(cmp(param('learningRate'), '<', num(0.01)));
    expect(parseQuery('params.batch_size = 32')).toEqual(cmp(param('batchSize'), '=', num(32)));
    expect(parseQuery('params.optimizer = adam')).toEqual(cmp(param('optimizer', 'name'), '=', str('adam')));
    expect(parseQuery('params.optimizer.beta1 > 0.5')).toEqual(cmp(param('optimizer', 'beta1'), '>', num(0.5)));
    expect(parseQuery('params."lr" = 1')).toEqual(cmp(param('lr'), '=', num(1)));
    expect(parseQuery('params.classWeights.0 > 1')).toEqual(cmp(param('classWeights', '0'), '>', num(1)));
    expect(parseQuery('params.constructor = 1')).toEqual(cmp(param('constructor'), '=', num(1)));
  });

  it('reads every attribute, in any case', () => {
    for (const name of ['name', 'user', 'tag', 'architecture', 'dataset', 'backend', 'device', 'paradigm'] as const) {
      expect(parseQuery(`${name.toUpperCase()} = "x"`)).toEqual(cmp(attr(name), '=', str('x')));
    }
    expect(parseQuery('status = Failed')).toEqual(cmp(attr('status'), '=', str('FAILED')));
    expect(parseQuery('number >= 10')).toEqual(cmp(attr('number'), '>=', num(10)));
    expect(parseQuery('duration > 90')).toEqual(cmp(attr('duration'), '>', num(90)));
    expect(() => parseQuery('gpu ~ H100')).toThrow("column 1: unknown field 'gpu' (did you mean device?)");
    expect(parseQuery('created > 7d')).toEqual(cmp(attr('created'), '>', { type: 'span', amount: 7, unit: 'd' }));
  });
});

describe('parseQuery: operators and values', () => {
  it('reads every comparison operator', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=']) expect(parseQuery(`metrics.loss ${op} 1`)).toEqual(cmp(metric('loss'), op, num(1)));
    expect(parseQuery('name ~ "mlp"')).toEqual(cmp(attr('name'), '~', str('mlp')));
    expect(parseQuery('metrics.loss == 1')).toEqual(cmp(metric('loss'), '=', num(1)));
    expect(parseQuery('metrics.loss <> 1')).toEqual(cmp(metric('loss'), '!=', num(1)));
    expect(parseQuery('metrics.loss>=1 and name~x')).toEqual({ type: 'and', children: [cmp(metric('loss'), '>=', num(1)), cmp(attr('name'), '~', str('x'))] });
  });

  it('reads in and not in lists', () => {
    expect(parseQuery('tag in (a, "b c", \'d\')')).toEqual({ type: 'in', field: attr('tag'), negated: false, values: [str('a'), str('b c'), str('d')] });
    expect(parseQuery('status NOT IN (failed,canceled)')).toEqual({ type: 'in', field: attr('status'), negated: true, values: [str('FAILED'), str('CANCELED')] });
    expect(parseQuery('params.batch_size in (32)')).toEqual({ type: 'in', field: param('batchSize'), negated: false, values: [num(32)] });
  });

  it('reads numbers, booleans, bare words, dates and spans', () => {
    const value = (text: string, field = 'params.x') => (parseQuery(`${field} = ${text}`) as Extract<QueryNode, { type: 'compare' }>).value;
    expect(value('1e-3')).toEqual(num(0.001));
    expect(value('-0.5')).toEqual(num(-0.5));
    expect(value('.5')).toEqual(num(0.5));
    expect(value('2E+2')).toEqual(num(200));
    expect(value('true')).toEqual({ type: 'boolean', value: true });
    expect(value('FALSE')).toEqual({ type: 'boolean', value: false });
    expect(value('adam')).toEqual(str('adam'));
    expect(value('tfjs-node')).toEqual(str('tfjs-node'));
    expect(value('2024-05-01', 'created')).toEqual({ type: 'date', value: '2024-05-01T00:00:00.000Z', dateOnly: true });
    expect(value('2024-05-01T10:30', 'created')).toEqual({ type: 'date', value: '2024-05-01T10:30:00.000Z', dateOnly: false });
    expect(value('2024-05-01T10:30:15.5+02:00', 'created')).toEqual({ type: 'date', value: '2024-05-01T08:30:15.500Z', dateOnly: false });
    expect(value('"2024-05-01"', 'created')).toEqual({ type: 'date', value: '2024-05-01T00:00:00.000Z', dateOnly: true });
    expect(value('1.5h', 'duration')).toEqual({ type: 'span', amount: 1.5, unit: 'h' });
    for (const unit of ['s', 'm', 'h', 'd', 'w']) expect(value(`3${unit}`, 'duration')).toEqual({ type: 'span', amount: 3, unit });
  });

  it('reads strings with either quote and escapes', () => {
    const s = (text: string) => ((parseQuery(`name = ${text}`) as Extract<QueryNode, { type: 'compare' }>).value as { value: string }).value;
    expect(s(`"it's"`)).toBe("it's");
    expect(s(`'say "hi"'`)).toBe('say "hi"');
    expect(s(String.raw`"a\"b\\c\'d"`)).toBe(`a"b\\c'd`);
    expect(s(String.raw`'line\nnext\ttab\r'`)).toBe('line\nnext\ttab\r');
    expect(s(String.raw`"caf\u00e9 \/"`)).toBe('café /');
    expect(s(`""`)).toBe('');
    expect(s(`"and or not ( ) , = ~"`)).toBe('and or not ( ) , = ~');
  });

  it('gives and precedence over or and not over both; parentheses override', () => {
    expect(parseQuery('number = 1 or number = 2 and number = 3')).toEqual({ type: 'or', children: [A, { type: 'and', children: [B, C] }] });
    expect(parseQuery('number = 1 and number = 2 or number = 3')).toEqual({ type: 'or', children: [{ type: 'and', children: [A, B] }, C] });
    expect(parseQuery('(number = 1 or number = 2) and number = 3')).toEqual({ type: 'and', children: [{ type: 'or', children: [A, B] }, C] });
    expect(parseQuery('not number = 1 and number = 2')).toEqual({ type: 'and', children: [{ type: 'not', child: A }, B] });
    expect(parseQuery('not (number = 1 and number = 2)')).toEqual({ type: 'not', child: { type: 'and', children: [A, B] } });
    expect(parseQuery('not not number = 1')).toEqual({ type: 'not', child: { type: 'not', child: A } });
    expect(parseQuery('NOT number = 1 OR number = 2 AND NOT number = 3')).toEqual({
      type: 'or',
      children: [
        { type: 'not', child: A },
        { type: 'and', children: [B, { type: 'not', child: C }] },
      ],
    });
  });

  it('flattens chains and redundant parentheses', () => {
    const flat = { type: 'and', children: [A, B, C] };
    expect(parseQuery('number = 1 and number = 2 and number = 3')).toEqual(flat);
    expect(parseQuery('(number = 1 and number = 2) and number = 3')).toEqual(flat);
    expect(parseQuery('number = 1 and (number = 2 and (number = 3))')).toEqual(flat);
    expect(parseQuery('((number = 1))')).toEqual(A);
  });

  it('reads nesting up to 64 levels', () => {
    expect(parseQuery(`${'('.repeat(63)}not number = 1${')'.repeat(63)}`)).toEqual({ type: 'not', child: A });
    expect(parseQuery(`${'not '.repeat(64)}number = 1`)).toBeTruthy();
  });

  it('is empty for blank text', () => {
    expect(parseQuery('')).toBeNull();
    expect(parseQuery('  \n\t ')).toBeNull();
  });

  it('reads the example from the issue', () => {
    expect(parseQuery('metrics.val_accuracy > 0.9 and params.lr < 0.01 and user = "ana@lab.org" and tag = "baseline"')).toEqual({
      type: 'and',
      children: [cmp(metric('accuracy', 'validation'), '>', num(0.9)), cmp(param('learningRate'), '<', num(0.01)), cmp(attr('user'), '=', str('ana@lab.org')), cmp(attr('tag'), '=', str('baseline'))],
    });
  });
});

describe('parseQuery: errors name the column and what was expected', () => {
  const cases: Array<[string, number, string]> = [
    ['metrics.val_accuracy > and params.lr < 1', 24, "expected a value after '>', found 'and'"],
    ['metrics.val_accuracy > 0.9 and params.lr <', 43, "expected a value after '<'"],
    ['not metric.acc > 1', 5, "unknown field 'metric.acc' (did you mean metrics.acc?)"],
    ['name = "mlp" or name = "abc', 24, 'unterminated string'],
    ['stauts = failed', 1, "unknown field 'stauts' (did you mean status?)"],
    ['val_accuracy > 0.9', 1, "unknown field 'val_accuracy' (did you mean metrics.val_accuracy?)"],
    ['lr < 0.1', 1, "unknown field 'lr' (did you mean params.lr?)"],
    ['created_at > 7d', 1, "unknown field 'created_at' (did you mean created?)"],
    ['foo = 1', 1, "unknown field 'foo' (fields are metrics.<name>, params.<path>, status, name, user, tag, architecture, dataset, backend, device, paradigm, number, created, duration)"],
    ['metrics > 1', 8, "expected a metric name after 'metrics.', as in metrics.val_accuracy"],
    ['metrics.val_ > 1', 13, "expected a metric name after 'val_', as in metrics.val_accuracy"],
    ['params. > 1', 8, "expected a name after 'params.'"],
    ['metrics.loss 1', 14, "expected an operator (=, !=, >, >=, <, <=, in or not in) after 'metrics.loss', found '1'"],
    ['metrics.loss', 13, "expected an operator (=, !=, >, >=, <, <=, in or not in) after 'metrics.loss'"],
    ['metrics.acc ~ "x"', 13, "'~' does not apply to metrics.acc ('~' is for text; metrics.acc is a number); use =, !=, >, >=, <, <=, in or not in"],
    ['name > "b"', 6, "'>' does not apply to name; use =, !=, ~, in or not in"],
    ['created in (7d)', 9, "'in' does not apply to created; use =, !=, >, >=, < or <="],
    ['metrics.acc > "high"', 15, 'metrics.acc is a number; expected a number, found "high"'],
    ['status = done', 10, "unknown status 'done' (expected queued, running, succeeded, failed, canceled or pruned)"],
    ['tag = 2024', 7, 'tag is text; put the value in quotes, as in "2024"'],
    ['created > yesterday', 11, "expected a date such as 2024-05-01 or a time ago such as 7d, found 'yesterday'"],
    ['created = 7d', 11, "compare created with a time ago such as '7d' using >, >=, < or <= (created > 7d: in the last 7 days)"],
    ['created > 2024-02-30', 11, "invalid date '2024-02-30'"],
    ['created > 2024-01', 11, "malformed number or date '2024-01' (dates are written 2024-05-01)"],
    ['created > 7days', 12, "unknown time unit 'days' after 7 (use s, m, h, d or w, as in 7d)"],
    ['params.lr < 1e', 13, "malformed number '1e'"],
    ['params.lr < 1e999', 13, "number '1e999' is out of range"],
    ['duration > "long"', 12, 'duration is in seconds; expected a number or a span such as 90s, 30m or 2h, found "long"'],
    ['params.x ~ 3', 12, "'~' looks for text; expected a quoted string, found '3'"],
    ['params.x > true', 12, 'true and false can only be compared with = or !='],
    ['user = ana@lab.org', 11, 'unexpected \'@\'; put values with spaces or symbols in quotes, as in "ana@lab.org"'],
    ['name = "a\\qb"', 10, "unknown escape '\\q' in string (write \\\\ for a backslash)"],
    ['name = "\\u12"', 9, 'expected four hex digits after \\u in string'],
    ['(status = failed or tag = x', 28, "expected ')' to close the '(' at column 1, found the end of the query"],
    ['status = failed)', 16, "unexpected ')' without a matching '('"],
    ['status = failed tag = x', 17, "expected 'and', 'or' or the end of the query after 'failed', found 'tag'"],
    ['status = failed and', 20, "expected a field such as metrics.val_accuracy, params.lr or status after 'and'"],
    ['and status = failed', 1, "expected a field such as metrics.val_accuracy, params.lr or status, found 'and'"],
    ['() ', 2, "expected a field such as metrics.val_accuracy, params.lr or status after '(', found ')'"],
    ['tag in a, b', 8, 'expected \'(\' after \'in\', as in tag in ("a", "b")'],
    ['tag in (a b)', 11, "expected ',' or ')' in the list that starts at column 8, found 'b'"],
    ['tag in (a,)', 11, "expected a value after ',', found ')'"],
    ['tag in ()', 9, "expected a value after '(', found ')'"],
    ['status = failed && tag = x', 17, "unexpected '&&' (write 'and')"],
    ['status = failed || tag = x', 17, "unexpected '||' (write 'or')"],
    ['!status = failed', 1, "unexpected '!' (write 'not', or '!=' for not equal)"],
    ['metrics."" > 1', 9, "expected a name after '.', found an empty string"],
    ['metrics.loss < 1and tag = x', 17, "expected a space between 1 and 'and'"],
    [`${'('.repeat(64)}not tag = x${')'.repeat(64)}`, 65, "the query nests too deeply (at most 64 levels of 'not' and parentheses)"],
  ];

  it.each(cases)('%s → column %i: %s', (text, column, detail) => {
    const e = syntaxError(text);
    expect(e.column).toBe(column);
    expect(e.position).toBe(column - 1);
    expect(e.detail).toBe(detail);
    expect(e.message).toBe(`column ${column}: ${detail}`);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('QuerySyntaxError');
  });
});

describe('formatQuery', () => {
  const canonical: Array<[string, string]> = [
    ['metrics.val_accuracy>0.9 AND params.lr<1e-3', 'metrics.val_accuracy > 0.9 and params.learningRate < 0.001'],
    ['metrics.loss.LAST < 1 or metrics.loss.min < 1', 'metrics.loss < 1 or metrics.loss.min < 1'],
    ["status = 'Failed' or status in (QUEUED, running)", 'status = failed or status in (queued, running)'],
    ['(a.b = 1 or name ~ x) and not (tag = y)'.replace('a.b', 'params.a.b'), '(params.a.b = 1 or name ~ "x") and not tag = "y"'],
    ['not (tag = a and tag = b)', 'not (tag = "a" and tag = "b")'],
    ['name = \'say "hi"\\n\'', 'name = "say \\"hi\\"\\n"'],
    ['created >= 2024-05-01 and created < 2024-05-02T10:30+01:00 and created > 36h', 'created >= 2024-05-01 and created < 2024-05-02T09:30:00.000Z and created > 36h'],
    ['params.optimizer not in (adam, "sgd") and params.flag != TRUE', 'params.optimizer.name not in ("adam", "sgd") and params.flag != true'],
    ['metrics."top 1".max > 0.5 and metrics.loss.total < 1', 'metrics."top 1".max > 0.5 and metrics."loss.total" < 1'],
    ['params."lr" = 1 and params.lr = 2', 'params."lr" = 1 and params.learningRate = 2'],
    ['', ''],
  ];
  it.each(canonical)('%s → %s', (text, expected) => {
    const ast = parseQuery(text);
    expect(formatQuery(ast)).toBe(expected);
    expect(parseQuery(formatQuery(ast))).toEqual(ast);
  });

  it('round-trips any query: parse(format(ast)) is ast', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
    const key = fc.oneof(
      name,
      fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).filter((s) => !/^(val_|test_|sys_)/.test(s)),
    );
    const field: fc.Arbitrary<FieldRef> = fc.oneof(
      fc.record({ kind: fc.constant('metric' as const), key, context: fc.constantFrom('train', 'validation', 'test', 'system'), aggregate: fc.constantFrom('last', 'min', 'max') }),
      fc.record({ kind: fc.constant('param' as const), path: fc.array(fc.oneof(name, fc.string({ unit: 'binary', minLength: 1, maxLength: 6 })), { minLength: 1, maxLength: 3 }) }),
      fc.constantFrom('name', 'user', 'tag', 'status', 'number', 'created', 'duration').map((n) => attr(n as 'name')),
    );
    const text = fc.string({ unit: 'binary', maxLength: 10 }).map(str);
    const number = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => num(Object.is(v, -0) ? 0 : v));
    const condition: fc.Arbitrary<QueryNode> = field.chain((f): fc.Arbitrary<QueryNode> => {
      const compare = (ops: string[], value: fc.Arbitrary<QueryValue>) =>
        fc.record({ type: fc.constant('compare' as const), field: fc.constant(f), op: fc.constantFrom(...ops), value }) as fc.Arbitrary<QueryNode>;
      const list = (value: fc.Arbitrary<QueryValue>) =>
        fc.record({ type: fc.constant('in' as const), field: fc.constant(f), negated: fc.boolean(), values: fc.array(value, { minLength: 1, maxLength: 3 }) }) as fc.Arbitrary<QueryNode>;
      const numeric = ['=', '!=', '>', '>=', '<', '<='];
      if (f.kind === 'metric') return fc.oneof(compare(numeric, number), list(number));
      if (f.kind === 'param')
        return fc.oneof(
          compare([...numeric, '~'], text),
          compare(numeric, number),
          compare(
            ['=', '!='],
            fc.boolean().map((b) => ({ type: 'boolean', value: b })),
          ),
          list(fc.oneof(text, number)),
        );
      switch (f.name) {
        case 'status': {
          const status = fc.constantFrom(...RUN_STATUSES).map(str);
          return fc.oneof(compare(['=', '!='], status), list(status));
        }
        case 'number':
          return fc.oneof(compare(numeric, number), list(number));
        case 'created': {
          const span = fc.record({ type: fc.constant('span' as const), amount: fc.nat(1000), unit: fc.constantFrom('s', 'm', 'h', 'd', 'w') });
          const date = fc
            .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
            .chain((d) =>
              fc.constantFrom<QueryValue>({ type: 'date', value: d.toISOString(), dateOnly: false }, { type: 'date', value: `${d.toISOString().slice(0, 10)}T00:00:00.000Z`, dateOnly: true }),
            );
          return fc.oneof(compare(['>', '>=', '<', '<='], span), compare(numeric, date));
        }
        case 'duration':
          return compare(numeric, fc.oneof(number, fc.record({ type: fc.constant('span' as const), amount: fc.nat(100), unit: fc.constantFrom('s', 'h') })));
        default:
          return fc.oneof(compare(['=', '!=', '~'], text), list(text));
      }
    });
    const { tree } = fc.letrec<{ tree: QueryNode }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        condition,
        fc.record({ type: fc.constant('not' as const), child: tie('tree') }),
        fc.record({ type: fc.constantFrom('and' as const, 'or' as const), children: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }) }),
      ),
    }));
    // The parser flattens `a and (b and c)`; so does the expected AST.
    const flatten = (n: QueryNode): QueryNode => {
      if (n.type === 'not') return { type: 'not', child: flatten(n.child) };
      if (n.type !== 'and' && n.type !== 'or') return n;
      return { type: n.type, children: n.children.map(flatten).flatMap((c) => (c.type === n.type ? c.children : [c])) };
    };
    fc.assert(
      fc.property(tree, (ast) => {
        expect(parseQuery(formatQuery(ast))).toEqual(flatten(ast));
      }),
      { numRuns: 300 },
    );
  });
});

describe('fields and sort specs', () => {
  it('parses one field, and formats it back', () => {
    for (const text of ['metrics.val_accuracy', 'metrics.loss.max', 'params.learningRate', 'params.optimizer.name', 'created', 'metrics."a b"']) {
      expect(formatField(parseField(text))).toBe(text);
    }
    expect(parseField(' params.lr ')).toEqual(param('learningRate'));
    expect(syntaxError('metrics.loss desc', parseField)).toMatchObject({ column: 14, detail: "unexpected 'desc' after the field" });
    expect(syntaxError('', parseField)).toMatchObject({ column: 1 });
    expect(syntaxError('  tag', parseSortField)).toMatchObject({ column: 3, detail: 'runs cannot be sorted by tag (a run has several)' });
  });

  it('parses sort specs, ascending unless desc', () => {
    expect(parseSortSpec('metrics.val_accuracy desc, params.lr, created DESC, name asc')).toEqual([
      { field: metric('accuracy', 'validation'), dir: 'desc' },
      { field: param('learningRate'), dir: 'asc' },
      { field: attr('created'), dir: 'desc' },
      { field: attr('name'), dir: 'asc' },
    ]);
    expect(parseSortSpec('  ')).toEqual([]);
    const keys = parseSortSpec('metrics.loss.min, user desc');
    expect(formatSortSpec(keys)).toBe('metrics.loss.min, user desc');
    expect(parseSortSpec(formatSortSpec(keys))).toEqual(keys);
  });

  it('names the column of a bad sort spec', () => {
    expect(syntaxError('metrics.loss downward', parseSortSpec)).toMatchObject({ column: 14, detail: "expected ',' or the end of the sort order after 'metrics.loss', found 'downward'" });
    expect(syntaxError('created desc,', parseSortSpec)).toMatchObject({ column: 14, detail: "expected a field such as metrics.val_accuracy, params.lr or status after ','" });
    expect(syntaxError('name, tag desc', parseSortSpec)).toMatchObject({ column: 7, detail: 'runs cannot be sorted by tag (a run has several)' });
    expect(syntaxError('metrcs.loss', parseSortSpec)).toMatchObject({ column: 1, detail: "unknown field 'metrcs.loss' (did you mean metrics.loss?)" });
  });
});

describe('ZRunSearchInput', () => {
  it('fills paging defaults and caps the page size', () => {
    expect(ZRunSearchInput.parse({ projectId: 'p' })).toEqual({ projectId: 'p', page: 1, pageSize: 50 });
    expect(ZRunSearchInput.parse({ projectId: 'p', sort: [{ field: 'created' }] }).sort).toEqual([{ field: 'created', dir: 'asc' }]);
    expect(ZRunSearchInput.safeParse({ projectId: 'p', pageSize: 501 }).success).toBe(false);
    expect(ZRunSearchInput.safeParse({ projectId: 'p', page: 0 }).success).toBe(false);
  });
});
