import { describe, expect, it } from 'vitest';
import { hasLeadingZero, inferColumnType, parseBooleanToken, parseDatetime, parseNumber, suggestRole, type TypeEvidence } from './infer-types';

const evidence = (e: Partial<TypeEvidence>): TypeEvidence => ({
  count: 100,
  numeric: 0,
  numericNotBinary: 0,
  booleanWords: 0,
  datetime: 0,
  distinct: 10,
  meanLength: 8,
  meanWords: 1,
  ...e,
});

describe('cell parsers', () => {
  it('parses plain decimal numbers only', () => {
    expect(['1', '-2.5', '+3', '.5', '1e3', '2.', '6.02E-23'].map(parseNumber)).toEqual([1, -2.5, 3, 0.5, 1000, 2, 6.02e-23]);
    expect(['1,234', '$5', '10%', 'Infinity', '0x10', '', '1 2', 'NaN'].map(parseNumber)).toEqual(Array(8).fill(null));
    expect(hasLeadingZero('02134')).toBe(true);
    expect(hasLeadingZero('0.5')).toBe(false);
  });

  it('parses boolean words in any case', () => {
    expect(['TRUE', 'no', 'Y', 'f', 'maybe', '1'].map(parseBooleanToken)).toEqual([true, false, true, false, null, null]);
  });

  it('parses ISO dates and date-times, with offsets, and rejects impossible or ambiguous ones', () => {
    expect(parseDatetime('2013-08-14')).toBe(Date.UTC(2013, 7, 14));
    expect(parseDatetime('2013-08-14 06:03:42')).toBe(Date.UTC(2013, 7, 14, 6, 3, 42));
    expect(parseDatetime('2013-08-14T06:03:42.250Z')).toBe(Date.UTC(2013, 7, 14, 6, 3, 42, 250));
    expect(parseDatetime('2013-08-14T06:00+02:00')).toBe(Date.UTC(2013, 7, 14, 4, 0));
    expect(parseDatetime('2013/8/4')).toBe(Date.UTC(2013, 7, 4));
    for (const bad of ['2013-02-30', '2013-13-01', '08/14/2013', '14.08.2013', 'yesterday', '2013-08-14 25:00']) {
      expect(parseDatetime(bad)).toBeNull();
    }
  });
});

describe('inferColumnType', () => {
  it('applies the documented rules in order', () => {
    expect(inferColumnType(evidence({ count: 0 })).type).toBe('categorical');
    expect(inferColumnType(evidence({ booleanWords: 100 })).type).toBe('boolean');
    expect(inferColumnType(evidence({ numeric: 100, numericNotBinary: 0 })).type).toBe('boolean');
    expect(inferColumnType(evidence({ numeric: 100, numericNotBinary: 60 })).type).toBe('numeric');
    expect(inferColumnType(evidence({ numeric: 99, numericNotBinary: 60 })).type).toBe('categorical');
    expect(inferColumnType(evidence({ datetime: 100 })).type).toBe('datetime');
    expect(inferColumnType(evidence({ meanLength: 60, distinct: 5 })).type).toBe('text');
    expect(inferColumnType(evidence({ meanWords: 6, distinct: 5 })).type).toBe('text');
    expect(inferColumnType(evidence({ distinct: 50 })).type).toBe('categorical');
    expect(inferColumnType(evidence({ count: 7000, distinct: 437 })).type).toBe('categorical');
    expect(inferColumnType(evidence({ count: 7000, distinct: 6900 })).type).toBe('text');
    expect(inferColumnType(evidence({ count: 100, distinct: 60 })).type).toBe('text');
  });
});

describe('suggestRole', () => {
  it('suggests ids, ignores constant and empty columns, and keeps the rest as features', () => {
    const e = { count: 1000, distinct: 1000, meanWords: 1, meanLength: 6 };
    expect(suggestRole('id', 'numeric', e)).toBe('id');
    expect(suggestRole('customer_id', 'text', e)).toBe('id');
    expect(suggestRole('userId', 'numeric', e)).toBe('id');
    expect(suggestRole('paid', 'numeric', e)).toBe('feature');
    expect(suggestRole('name', 'text', e)).toBe('id');
    expect(suggestRole('first', 'text', { ...e, distinct: 300 })).toBe('ignored');
    expect(suggestRole('review', 'text', { ...e, meanWords: 30 })).toBe('feature');
    expect(suggestRole('constant', 'categorical', { ...e, distinct: 1 })).toBe('ignored');
    expect(suggestRole('empty', 'categorical', { ...e, count: 0, distinct: 0 })).toBe('ignored');
    expect(suggestRole('age', 'numeric', { ...e, distinct: 73 })).toBe('feature');
  });
});
