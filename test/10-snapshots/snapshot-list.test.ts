/**
 * Chapter 10, the snapshot list on its own (task 10.1): a doubly linked
 * list of live snapshots, oldest first, whose oldest sequence compaction
 * reads in O(1), and whose release is idempotent.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import { SnapshotList, type Snapshot } from '#snapshots/snapshot-list.ts';

describe('SnapshotList', () => {
  test('the oldest sequence is the first snapshot taken and not yet released', () => {
    const list = new SnapshotList();
    expect(list.oldestSequence(), 'an empty list has no oldest snapshot').toBeUndefined();
    const a = list.create(12);
    const b = list.create(40);
    const c = list.create(97);
    expect(list.oldestSequence(), 'the oldest is the first one linked in').toBe(12);
    expect(list.size).toBe(3);
    a.release();
    expect(list.oldestSequence(), 'releasing the oldest makes the next one the oldest').toBe(40);
    c.release();
    expect(list.oldestSequence()).toBe(40);
    expect(list.sequences()).toEqual([40]);
    b.release();
    expect(list.oldestSequence(), 'after the last release the list is empty again').toBeUndefined();
    expect(list.size).toBe(0);
  });

  test('releasing from the middle keeps the others in order and linked both ways', () => {
    const list = new SnapshotList();
    const snapshots = [5, 5, 8, 13, 21].map((s) => list.create(s));
    snapshots[2]!.release();
    snapshots[1]!.release();
    expect(list.sequences(), 'the forward links skip the released nodes').toEqual([5, 13, 21]);
    expect(list.newestSequence(), 'the backward links are right too').toBe(21);
    snapshots[4]!.release();
    expect(list.newestSequence(), 'releasing the newest moves the newest end back').toBe(13);
    const d = list.create(30);
    expect(list.sequences(), 'a new snapshot goes at the newest end').toEqual([5, 13, 30]);
    expect(list.isLive(d)).toBe(true);
  });

  test('release is idempotent: a second release, or a release through the list, changes nothing', () => {
    const list = new SnapshotList();
    const a = list.create(1);
    const b = list.create(2);
    const c = list.create(3);
    b.release();
    b.release();
    list.release(b);
    expect(list.size, 'a released snapshot is counted out once').toBe(2);
    expect(list.sequences(), 'releasing twice must not unlink its old neighbours').toEqual([1, 3]);
    expect(list.isLive(b)).toBe(false);
    expect(list.isLive(a) && list.isLive(c)).toBe(true);
  });

  test('a snapshot of another list, or any other object, is never live here and releasing it does nothing', () => {
    const list = new SnapshotList();
    const other = new SnapshotList();
    const mine = list.create(7);
    const theirs = other.create(7);
    list.release(theirs);
    expect(other.size, "releasing another list's snapshot through this list must not touch it").toBe(1);
    expect(list.isLive(theirs)).toBe(false);
    expect(list.isLive({ sequence: 7, release() {} })).toBe(false);
    expect(list.isLive(mine)).toBe(true);
    expect(list.size).toBe(1);
  });

  test('snapshots must be taken in sequence order; equal sequences are allowed', () => {
    const list = new SnapshotList();
    list.create(9);
    list.create(9);
    expect(() => list.create(5), 'a snapshot below the newest would break the order oldestSequence relies on').toThrow(InvalidArgumentError);
    expect(list.sequences()).toEqual([9, 9]);
  });

  test('releaseAll releases every snapshot', () => {
    const list = new SnapshotList();
    const taken = [1, 2, 3].map((s) => list.create(s));
    list.releaseAll();
    expect(list.size).toBe(0);
    expect(list.oldestSequence()).toBeUndefined();
    expect(taken.some((s) => list.isLive(s))).toBe(false);
  });

  test('random takes and releases agree with a plain array of live snapshots', () => {
    const opArb = fc.oneof(
      { weight: 3, arbitrary: fc.record({ take: fc.constant(true as const), advance: fc.nat({ max: 3 }) }) },
      { weight: 2, arbitrary: fc.record({ take: fc.constant(false as const), which: fc.nat() }) },
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const list = new SnapshotList();
        const taken: Snapshot[] = [];
        const model: Snapshot[] = [];
        let sequence = 0;
        for (const op of ops) {
          if (op.take) {
            sequence += op.advance;
            const s = list.create(sequence);
            taken.push(s);
            model.push(s);
          } else if (taken.length > 0) {
            const s = taken[op.which % taken.length]!;
            s.release();
            const at = model.indexOf(s);
            if (at >= 0) model.splice(at, 1);
          }
          expect(list.size).toBe(model.length);
          expect(list.oldestSequence()).toBe(model[0]?.sequence);
          expect(list.sequences()).toEqual(model.map((s) => s.sequence));
          for (const s of taken) expect(list.isLive(s)).toBe(model.includes(s));
        }
      }),
    );
  });
});
