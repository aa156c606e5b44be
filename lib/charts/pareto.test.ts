import { describe, expect, it } from 'vitest';
import { flattenConfig, paretoFront } from './pareto';

describe('Pareto front', () => {
  const pts = [
    { id: 'a', x: 1, y: 0.7 },
    { id: 'b', x: 2, y: 0.9 },
    { id: 'c', x: 3, y: 0.8 },
    { id: 'd', x: 0.5, y: 0.6 },
    { id: 'e', x: 2, y: 0.9 },
  ];
  it('minimising x, maximising y', () => {
    expect([...paretoFront(pts, { x: 'min', y: 'max' })].sort()).toEqual(['a', 'b', 'd', 'e']);
  });
  it('maximising both', () => {
    expect([...paretoFront(pts, { x: 'max', y: 'max' })].sort()).toEqual(['b', 'c', 'e']);
  });
  it('ignores non-finite points', () => {
    expect([
      ...paretoFront(
        [
          { id: 'n', x: Number.NaN, y: 1 },
          { id: 'k', x: 1, y: 1 },
        ],
        { x: 'min', y: 'max' },
      ),
    ]).toEqual(['k']);
  });
  it('flattens configs to dotted paths', () => {
    expect(flattenConfig({ epochs: 3, optimizer: { name: 'adam', beta1: 0.9 }, tags: ['a'] })).toEqual({ epochs: 3, 'optimizer.name': 'adam', 'optimizer.beta1': 0.9, tags: ['a'] });
  });
});
