/**
 * Chapter 8, task 8.6: the drop rules. S is the smallest sequence a reader
 * may still read at (the oldest snapshot, or the last sequence written).
 * Rule 1: a version is dropped iff a newer version of its key has a
 * sequence <= S. Rule 2: a tombstone <= S is dropped (with every older
 * version) iff the compaction is bottommost. Nothing above S is ever dropped.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bytesEqual } from '#toolkit/bytes.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { CompactionIterator, type DropRules } from '#tiered/compaction-iterator.ts';
import { ArrayIterator, formatEntry, type Entry } from '../06-merge-iterators/support/array-iterator.ts';

/** Runs the iterator over `input` and returns the kept entries and the dropped ones, in the entry notation. */
function judge(input: string | readonly Entry[], rules: DropRules, reuseBuffers = false): { kept: string[]; dropped: string[] } {
  const it = new CompactionIterator(new ArrayIterator(input, { reuseBuffers }), rules);
  const kept: string[] = [];
  const dropped: string[] = [];
  for (it.seekToFirst(); it.valid(); it.next()) {
    const text = formatEntry({ key: it.key(), sequence: it.sequence(), kind: it.kind(), value: it.value() });
    (it.dropped ? dropped : kept).push(text);
  }
  it.close();
  return { kept, dropped };
}

const words = (text: string): string[] => text.split(/\s+/).filter((t) => t.length > 0);

describe('the drop rules', () => {
  test('the worked example: S = 35, not bottommost', () => {
    const { kept, dropped } = judge('apple#40,PUT=a apple#31,DEL apple#12,PUT=b banana#25,PUT=c banana#7,PUT=d', {
      smallestSnapshot: 35,
      bottommost: false,
    });
    expect(kept, 'apple#40 is above S; the snapshot at 35 sees apple#31 (a tombstone it must still see); banana#25 is the newest').toEqual(
      words('apple#40,PUT=a apple#31,DEL= banana#25,PUT=c'),
    );
    expect(dropped, 'rule 1: a newer version <= S hides these from every reader').toEqual(words('apple#12,PUT=b banana#7,PUT=d'));
  });

  test('no snapshot (S = the last sequence): only the newest version of each key survives', () => {
    const { kept } = judge('a#9,PUT=x a#5,PUT=y a#2,PUT=z b#8,PUT=p b#3,DEL c#7,DEL c#1,PUT=q', { smallestSnapshot: 9, bottommost: false });
    expect(kept, 'a tombstone stays when not bottommost: it hides older versions in the levels below').toEqual(words('a#9,PUT=x b#8,PUT=p c#7,DEL='));
  });

  test('bottommost: a tombstone every reader sees is dropped with everything older; without bottommost it stays', () => {
    const input = 'k#6,DEL k#4,PUT=old k#2,DEL k#1,PUT=older z#3,PUT=live';
    expect(judge(input, { smallestSnapshot: 10, bottommost: true }).kept, 'nothing below can hold k: the tombstone hides nothing any more').toEqual(
      words('z#3,PUT=live'),
    );
    expect(judge(input, { smallestSnapshot: 10, bottommost: false }).kept, 'not bottommost: keep the tombstone, or k#4 in a lower level would come back').toEqual(
      words('k#6,DEL= z#3,PUT=live'),
    );
  });

  test('a tombstone above S is kept even at the bottom: the snapshot at S still sees the value under it', () => {
    const { kept } = judge('k#6,DEL k#4,PUT=old k#2,PUT=older', { smallestSnapshot: 5, bottommost: true });
    expect(kept, 'the snapshot at 5 reads k = old; a reader at 6 reads nothing').toEqual(words('k#6,DEL= k#4,PUT=old'));
  });

  test('versions above S are never dropped: every snapshot between them still needs its own', () => {
    const { kept, dropped } = judge('k#50,PUT=e k#40,PUT=d k#30,DEL k#20,PUT=b k#10,PUT=a', { smallestSnapshot: 25, bottommost: true });
    expect(kept).toEqual(words('k#50,PUT=e k#40,PUT=d k#30,DEL= k#20,PUT=b'));
    expect(dropped, 'k#10 is hidden from the oldest reader (25) by k#20').toEqual(words('k#10,PUT=a'));
  });

  test('each key starts afresh: the rule looks at versions of the SAME user key only (a key that is a prefix of the next included)', () => {
    const { kept } = judge('a#5,PUT=1 a#4,PUT=2 ab#3,PUT=3 ab#2,PUT=4 b#1,PUT=5', { smallestSnapshot: 10, bottommost: false });
    expect(kept).toEqual(words('a#5,PUT=1 ab#3,PUT=3 b#1,PUT=5'));
  });

  test('the key compared against is copied: a source may reuse its key buffer between entries', () => {
    const input = 'aa#5,PUT=1 aa#4,PUT=2 ab#3,PUT=3 ab#2,PUT=4 ba#1,PUT=5';
    expect(judge(input, { smallestSnapshot: 10, bottommost: false }, true).kept, 'keep a copy of the current user key, not the view').toEqual(
      words('aa#5,PUT=1 ab#3,PUT=3 ba#1,PUT=5'),
    );
  });

  test('the stats count what was dropped, tombstones apart', () => {
    const it = new CompactionIterator(new ArrayIterator('k#6,DEL k#4,PUT=old k#2,DEL z#3,PUT=live'), { smallestSnapshot: 10, bottommost: true });
    for (it.seekToFirst(); it.valid(); it.next());
    expect(it.stats).toEqual({ entries: 4, dropped: 3, droppedTombstones: 2 });
  });

  // Random histories of a few keys, and a random S and bottommost flag.
  const entriesArb: fc.Arbitrary<Entry[]> = fc
    .uniqueArray(
      fc.record({ key: fc.constantFrom('a', 'b', 'c'), sequence: fc.integer({ min: 1, max: 60 }), put: fc.boolean() }),
      { selector: (e) => e.sequence, maxLength: 30 },
    )
    .map((list) =>
      list.map(({ key, sequence, put }) => ({
        key: new TextEncoder().encode(key),
        sequence,
        kind: put ? ValueKind.Put : ValueKind.Delete,
        value: new TextEncoder().encode(put ? `v${sequence}` : ''),
      })),
    );

  /** What a reader at `s` sees of `key` in `entries` (plus, if given, older data below): the newest version <= s. */
  function newestAtOrBelow(entries: readonly Entry[], key: Uint8Array, s: number): Entry | undefined {
    let best: Entry | undefined;
    for (const e of entries) if (bytesEqual(e.key, key) && e.sequence <= s && (best === undefined || e.sequence > best.sequence)) best = e;
    return best;
  }

  test('every reader at S or later reads the same before and after (a tombstone still hides what lies below, unless bottommost), and nothing more is kept than those readers need', () => {
    fc.assert(
      fc.property(entriesArb, fc.integer({ min: 0, max: 61 }), fc.boolean(), (entries, S, bottommost) => {
        const { kept } = judge(entries, { smallestSnapshot: S, bottommost });
        const keptSet = new Set(kept);
        const keptEntries = entries.filter((e) => keptSet.has(formatEntry(e)));
        const maxSequence = Math.max(S, ...entries.map((e) => e.sequence));
        for (const key of ['a', 'b', 'c'].map((k) => new TextEncoder().encode(k))) {
          for (let s = S; s <= maxSequence; s++) {
            const before = newestAtOrBelow(entries, key, s);
            const after = newestAtOrBelow(keptEntries, key, s);
            if (bottommost) {
              // Nothing below: only the value read matters.
              const value = (e: Entry | undefined): string | undefined => (e === undefined || e.kind === ValueKind.Delete ? undefined : formatEntry(e));
              expect(value(after), `bottommost, S=${S}, reader at ${s}`).toBe(value(before));
            } else {
              // Older data may lie below: the very version a reader stops at must survive, tombstones included.
              expect(after && formatEntry(after), `not bottommost, S=${S}, reader at ${s}: a dropped tombstone would let older data below come back`).toBe(
                before && formatEntry(before),
              );
            }
          }
        }
        // Minimal: each kept entry is the version some reader at S or later stops at.
        for (const e of keptEntries) {
          const needed = [...Array(maxSequence - S + 1).keys()].some((i) => newestAtOrBelow(entries, e.key, S + i) === e);
          expect(needed, `${formatEntry(e)} is kept, but no reader at ${S} or later reads it`).toBe(true);
        }
      }),
    );
  });
});
