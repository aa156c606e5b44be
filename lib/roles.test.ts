import { describe, expect, it } from 'vitest';
import { can, hasRole } from './roles';
import { slugify } from './slug';

describe('roles', () => {
  it('orders roles OWNER > ADMIN > MEMBER > VIEWER', () => {
    expect(hasRole('OWNER', 'ADMIN')).toBe(true);
    expect(hasRole('ADMIN', 'OWNER')).toBe(false);
    expect(hasRole('MEMBER', 'VIEWER')).toBe(true);
    expect(hasRole('VIEWER', 'MEMBER')).toBe(false);
  });
  it('lets viewers read but not write', () => {
    expect(can.read('VIEWER')).toBe(true);
    expect(can.write('VIEWER')).toBe(false);
    expect(can.manageMembers('MEMBER')).toBe(false);
    expect(can.manageMembers('ADMIN')).toBe(true);
    expect(can.manageOwners('ADMIN')).toBe(false);
  });
});

describe('slugify', () => {
  it.each([
    ['Demo Lab', 'demo-lab'],
    ['  Équipe Vision!! ', 'equipe-vision'],
    ['A', 't-a'],
    ['***', 't-x'],
  ])('%j → %s', (name, slug) => expect(slugify(name)).toBe(slug));
});
