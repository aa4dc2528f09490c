/**
 * Chapter 10, file lifetimes on their own (task 10.3, on top of 10.2): a
 * table is deleted exactly when it becomes obsolete, no live version names
 * it and no flush or compaction is writing it, and never before.
 */

import { describe, expect, test } from 'vitest';
import { FileLifetimes } from '#snapshots/file-lifetimes.ts';
import { VersionRefs } from '#snapshots/version-refs.ts';
import { sorted, versionOf } from './support/versions.ts';

/** A FileLifetimes over fresh VersionRefs, recording the tables it deletes. */
function setup(): { refs: VersionRefs; lifetimes: FileLifetimes; removed: number[] } {
  const refs = new VersionRefs();
  const removed: number[] = [];
  return { refs, removed, lifetimes: new FileLifetimes(refs, (table) => removed.push(table)) };
}

describe('FileLifetimes', () => {
  test('a table being written is never obsolete, though no version names it yet', () => {
    const { refs, lifetimes, removed } = setup();
    refs.ref(versionOf(1));
    lifetimes.beginOutput(2);
    expect(lifetimes.isObsolete(2), 'a pending output looks like an orphan: only the pending set protects it').toBe(false);
    expect(lifetimes.collect([1, 2]), 'nothing here is obsolete').toEqual([]);
    expect(removed).toEqual([]);
    expect(sorted(lifetimes.liveTables()), 'pending outputs are kept by the sweep at open too').toEqual([1, 2]);
  });

  test('an output installed by an edit survives endOutput; an abandoned one is deleted by it', () => {
    const { refs, lifetimes, removed } = setup();
    lifetimes.beginOutput(5);
    lifetimes.beginOutput(6);
    refs.ref(versionOf(5)); // the edit that installs 5 is durable and current
    expect(lifetimes.endOutput(5), 'table 5 is in the current version now').toBe(false);
    expect(lifetimes.endOutput(6), 'table 6 was never installed: its writer gave up, nothing can reach it').toBe(true);
    expect(removed).toEqual([6]);
    expect(lifetimes.isPending(5) || lifetimes.isPending(6)).toBe(false);
  });

  test('collect deletes exactly the obsolete candidates, each once, and leaves the rest for later', () => {
    const { refs, lifetimes, removed } = setup();
    const old = versionOf(1, 2, 3);
    refs.ref(old);
    refs.ref(versionOf(3, 4));
    lifetimes.beginOutput(9);
    const dead = refs.unref(old);
    expect(sorted(lifetimes.collect([...dead, ...dead, 3, 4, 9])), 'only 1 and 2 left every live version; 9 is pending').toEqual([1, 2]);
    expect(sorted(removed), 'a candidate listed twice is deleted once').toEqual([1, 2]);
  });

  test('a zombie table (dropped by the current version, held by an iterator) is deleted when its last holder lets go', () => {
    const { refs, lifetimes, removed } = setup();
    const v1 = versionOf(10, 11);
    refs.ref(v1); // current
    refs.ref(v1); // an iterator
    const v2 = versionOf(12); // a compaction wrote 12 from 10 and 11
    refs.ref(v2);
    expect(lifetimes.collect(refs.unref(v1)), 'the iterator still holds v1: 10 and 11 are zombies, not obsolete').toEqual([]);
    expect(lifetimes.isObsolete(10)).toBe(false);
    expect(sorted(lifetimes.collect(refs.unref(v1))), 'the iterator closed: now they go').toEqual([10, 11]);
    expect(sorted(removed)).toEqual([10, 11]);
    expect(lifetimes.deleted).toBe(2);
  });
});
