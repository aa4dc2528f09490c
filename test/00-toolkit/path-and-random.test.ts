import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseName, dirName, joinPath, normalizePath } from '#toolkit/path.ts';
import { SeededRandom } from '#toolkit/random.ts';

describe('path helpers', () => {
  it.each([
    ['/db/000001.log', '/db', '000001.log'],
    ['/db/', '/', 'db'],
    ['/LOCK', '/', 'LOCK'],
    ['db/CURRENT', 'db', 'CURRENT'],
    ['CURRENT', '.', 'CURRENT'],
    ['/', '/', ''],
  ])('splits %s into directory %s and name %s', (path, dir, name) => {
    expect(dirName(path)).toBe(dir);
    expect(baseName(path)).toBe(name);
  });

  it('joins segments with single slashes', () => {
    expect(joinPath('/db', 'archive', '000005.sst')).toBe('/db/archive/000005.sst');
    expect(joinPath('/db/', '/CURRENT')).toBe('/db/CURRENT');
    expect(joinPath('db', '', 'LOCK')).toBe('db/LOCK');
  });

  it('normalises duplicate slashes, "." and ".." segments and a trailing slash', () => {
    expect(normalizePath('/db//./archive/')).toBe('/db/archive');
    expect(normalizePath('/db/archive/../CURRENT')).toBe('/db/CURRENT');
    expect(normalizePath('./db')).toBe('db');
    expect(normalizePath('.')).toBe('.');
    expect(normalizePath('/')).toBe('/');
  });

  it('normalising twice changes nothing more', () => {
    const segment = fc.constantFrom('a', 'b', '.', '..', '');
    fc.assert(
      fc.property(fc.boolean(), fc.array(segment, { maxLength: 6 }), (absolute, parts) => {
        const path = (absolute ? '/' : '') + parts.join('/');
        expect(normalizePath(normalizePath(path))).toBe(normalizePath(path));
      }),
    );
  });
});

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed, and another for another seed', () => {
    const draw = (seed: number): number[] => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 8 }, () => r.nextU32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('below(n) stays in [0, n) and reaches every value', () => {
    const r = new SeededRandom(7);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = r.below(10);
      expect(Number.isInteger(v) && v >= 0 && v < 10).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(10);
    expect(new SeededRandom(1).below(1)).toBe(0);
  });

  it('chance(p) comes up about p of the time', () => {
    const r = new SeededRandom(3);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (r.chance(0.25)) hits++;
    expect(hits).toBeGreaterThan(2300);
    expect(hits).toBeLessThan(2700);
  });
});
