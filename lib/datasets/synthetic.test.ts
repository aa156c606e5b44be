import { describe, expect, it } from 'vitest';
import { computeBiasProfile } from './bias';
import { ZSupervisedColumns } from './schema';
import { generateLoanApprovals, generateSequencePatterns, generateShapeImages, imagesToFloat32 } from './synthetic';

describe('loan approvals', () => {
  const gap = (biasStrength: number, seed = 3) => {
    const data = generateLoanApprovals({ rows: 8000, seed, biasStrength });
    const profile = computeBiasProfile(data.table.columns, data.table.rows, { label: data.label, task: data.task, sensitive: ['sex'] });
    const rate = (sex: string) => profile.tables[0]!.groups.find((g) => g.name === sex)!.baseRate!;
    return rate('male') - rate('female');
  };

  it('is deterministic per seed and returns valid column metadata', () => {
    const a = generateLoanApprovals({ rows: 200, seed: 5, biasStrength: 0.4 });
    expect(generateLoanApprovals({ rows: 200, seed: 5, biasStrength: 0.4 })).toEqual(a);
    expect(generateLoanApprovals({ rows: 200, seed: 6, biasStrength: 0.4 }).table.rows).not.toEqual(a.table.rows);
    expect(ZSupervisedColumns.parse(a.columns).map((c) => c.name)).toEqual(a.table.columns);
    expect(a.sensitive).toEqual(['sex', 'ethnicity']);
    expect(a.table.rows.every((r) => r.length === a.table.columns.length)).toBe(true);
    const approved = a.table.rows.filter((r) => r[9] === 'yes').length / a.table.rows.length;
    expect(approved).toBeGreaterThan(0.3);
    expect(approved).toBeLessThan(0.7);
  });

  it('has no planted gap at biasStrength 0 and a gap that grows with it', () => {
    const gaps = [0, 0.25, 0.5, 1].map((b) => gap(b));
    expect(Math.abs(gaps[0]!)).toBeLessThan(0.03);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]! + 0.03);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    expect(gaps[3]!).toBeGreaterThan(gaps[2]!);
    expect(gaps[3]!).toBeGreaterThan(0.3);
  });

  it('can disadvantage an ethnic group instead and leave cells missing', () => {
    const data = generateLoanApprovals({ rows: 6000, seed: 1, biasStrength: 1, disadvantaged: { column: 'ethnicity', value: 'group_b' }, missingRate: 0.1 });
    const profile = computeBiasProfile(data.table.columns, data.table.rows, { label: 'approved', task: data.task, sensitive: ['sex', 'ethnicity'] });
    expect(profile.tables[1]!.gap!.lowest.group).toBe('group_b');
    expect(Math.abs(profile.tables[0]!.gap!.difference)).toBeLessThan(0.04);
    const missing = data.table.rows.filter((r) => r[5] === null).length / data.table.rows.length;
    expect(missing).toBeGreaterThan(0.07);
    expect(missing).toBeLessThan(0.13);
  });
});

describe('shape images', () => {
  it('draws balanced, labelled, deterministic images', () => {
    const set = generateShapeImages({ count: 30, seed: 2 });
    expect(set).toMatchObject({ height: 28, width: 28, channels: 1, classNames: ['circle', 'square', 'triangle'] });
    expect(set.images).toHaveLength(30);
    expect(set.images[0]).toHaveLength(28 * 28);
    expect([0, 1, 2].map((c) => set.labels.filter((l) => l === c).length)).toEqual([10, 10, 10]);
    expect(generateShapeImages({ count: 30, seed: 2 })).toEqual(set);
    expect(generateShapeImages({ count: 30, seed: 3 }).images[0]).not.toEqual(set.images[0]);
  });

  it('draws shapes whose areas rank as for one circumradius: circle πr² > square 2r² > triangle 1.3r²', () => {
    const set = generateShapeImages({ count: 60, seed: 4, noiseStd: 0 });
    const bright = set.images.map((img) => img.filter((v) => v > 128).length);
    const mean = (c: number) => {
      const areas = bright.filter((_, i) => set.labels[i] === c);
      return areas.reduce((a, b) => a + b, 0) / areas.length;
    };
    expect(mean(0)).toBeGreaterThan(mean(1));
    expect(mean(1)).toBeGreaterThan(mean(2));
    for (const count of bright) expect(count).toBeGreaterThan(20);
  });

  it('makes RGB images and converts to one float tensor buffer', () => {
    const set = generateShapeImages({ count: 4, seed: 1, channels: 3, size: 16, classes: ['circle', 'square'] });
    expect(set.images[0]).toHaveLength(16 * 16 * 3);
    const floats = imagesToFloat32(set);
    expect(floats).toHaveLength(4 * 16 * 16 * 3);
    expect(floats[5]).toBeCloseTo(set.images[0]![5]! / 255, 6);
    expect(Math.max(...floats)).toBeLessThanOrEqual(1);
  });
});

describe('sequence patterns', () => {
  it('generates balanced, deterministic, distinguishable classes', () => {
    const set = generateSequencePatterns({ count: 90, seed: 1, noiseStd: 0 });
    expect(set.series).toHaveLength(90);
    expect(set.series[0]).toHaveLength(64);
    expect(generateSequencePatterns({ count: 90, seed: 1, noiseStd: 0 })).toEqual(set);
    // Square waves take only two values (± amplitude, plus the offset); sines and sawtooths many.
    set.series.forEach((s, i) => {
      const distinct = new Set(Array.from(s, (v) => v.toFixed(4))).size;
      if (set.classNames[set.labels[i]!] === 'square') expect(distinct).toBe(2);
      else expect(distinct).toBeGreaterThan(10);
    });
  });

  it('makes rising and falling trends', () => {
    const set = generateSequencePatterns({ count: 20, seed: 2, classes: ['rising', 'falling'] });
    set.series.forEach((s, i) => {
      const slope = s[s.length - 1]! - s[0]!;
      expect(set.classNames[set.labels[i]!] === 'rising' ? slope : -slope).toBeGreaterThan(0.3);
    });
  });
});
