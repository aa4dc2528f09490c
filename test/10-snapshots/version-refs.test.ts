/**
 * Chapter 10, reference-counted versions on their own (task 10.2): a table
 * is live iff some live version names it, and releasing a version's last
 * reference reports exactly the tables that died with it.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import type { Version } from '#engine/version.ts';
import { VersionRefs } from '#snapshots/version-refs.ts';
import { sorted, versionOf } from './support/versions.ts';

describe('VersionRefs', () => {
  test('a compaction replaces tables, and an iterator holding the old version keeps them alive until it lets go', () => {
    const refs = new VersionRefs();
    const v1 = versionOf(12, 13, 14);
    refs.ref(v1); // the current version
    refs.ref(v1); // an iterator opened on it
    const v2 = versionOf(12, 15); // a compaction merged 13 and 14 into 15
    refs.ref(v2);
    expect(refs.unref(v1), 'the iterator still holds v1: nothing may die yet').toEqual([]);
    expect(refs.isReferenced(13), 'table 13 is only in v1, which the iterator holds').toBe(true);
    expect(sorted(refs.liveTableNumbers())).toEqual([12, 13, 14, 15]);
    expect(sorted(refs.unref(v1)), 'the last reference to v1 goes: its tables that v2 does not name die').toEqual([13, 14]);
    expect(refs.isReferenced(12), 'table 12 is in v2 too: it lives on').toBe(true);
    expect(refs.isReferenced(13)).toBe(false);
    expect(refs.liveVersions).toBe(1);
  });

  test("a version's tables count once, however many references it holds", () => {
    const refs = new VersionRefs();
    const v = versionOf(1, 2);
    for (let i = 0; i < 5; i++) refs.ref(v);
    expect(refs.refCount(v)).toBe(5);
    for (let i = 0; i < 4; i++) expect(refs.unref(v), `reference ${i + 1} of 5 released: the version still lives`).toEqual([]);
    expect(sorted(refs.unref(v)), 'the fifth release kills it; its tables had one holder each, not five').toEqual([1, 2]);
    expect(refs.refCount(v)).toBe(0);
    expect(refs.liveVersions).toBe(0);
  });

  test('referencing the new version before releasing the old keeps a table both name alive (a trivial move)', () => {
    const refs = new VersionRefs();
    const before = versionOf(7, 8);
    const after = versionOf(7, 8, 9);
    refs.ref(before);
    refs.ref(after);
    expect(refs.unref(before), 'every table of the old version is in the new one').toEqual([]);
    expect(sorted(refs.liveTableNumbers())).toEqual([7, 8, 9]);
  });

  test('releasing a version that holds no reference is refused', () => {
    const refs = new VersionRefs();
    const v = versionOf(3);
    refs.ref(v);
    expect(refs.unref(v)).toEqual([3]);
    expect(() => refs.unref(v), 'a second release of the last reference would make the counts negative').toThrow(InvalidArgumentError);
  });

  test('random refs and unrefs: live tables are always the union of the live versions, and each table dies exactly once', () => {
    const pool: Version[] = [versionOf(1, 2, 3), versionOf(2, 3, 4), versionOf(4, 5), versionOf(), versionOf(1, 5, 6), versionOf(6)];
    const opArb = fc.record({ ref: fc.boolean(), which: fc.nat({ max: pool.length - 1 }) });
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const refs = new VersionRefs();
        const counts = new Map<Version, number>();
        const union = (): number[] => {
          const live = new Set<number>();
          for (const [v, n] of counts) if (n > 0) for (const f of v.fileNumbers()) live.add(f);
          return sorted(live);
        };
        for (const op of ops) {
          const v = pool[op.which]!;
          const held = counts.get(v) ?? 0;
          if (op.ref) {
            refs.ref(v);
            counts.set(v, held + 1);
          } else if (held > 0) {
            const before = union();
            counts.set(v, held - 1);
            const after = union();
            expect(sorted(refs.unref(v)), 'unref returns exactly the tables that left the union').toEqual(before.filter((t) => !after.includes(t)));
          }
          expect(sorted(refs.liveTableNumbers())).toEqual(union());
          for (let t = 1; t <= 7; t++) expect(refs.isReferenced(t)).toBe(union().includes(t));
        }
      }),
    );
  });
});
