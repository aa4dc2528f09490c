/**
 * Chapter 4, whole tables against a model (tasks 4.1-4.15 together):
 * random sorted sets of entries (several versions per key, tombstones,
 * empty and long values, long keys sharing long prefixes, a single entry)
 * are written with random layouts (one entry per block up to 4 KiB blocks,
 * restarts every 1, 2 or 16 entries, with and without a filter), then read
 * back by get, by full scans in both directions, by seek, and by random walks.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, formatBytes, utf8 } from '#toolkit/bytes.ts';
import { formatInternalKey, MAX_SEQUENCE, ValueKind } from '#memtable/internal-key.ts';
import { TableReader } from '#sstable/table-reader.ts';
import {
  buildTable,
  entriesArb,
  entry,
  here,
  modelGet,
  modelSeek,
  optionsArb,
  scanBackward,
  scanForward,
  show,
  type Entry,
  userKeyArb,
} from './support.ts';

function open(entries: readonly Entry[], options: Parameters<typeof buildTable>[1]): TableReader {
  const table = buildTable(entries, options);
  return TableReader.open(table.fs, table.path);
}

describe('a table read back', () => {
  it('answers every get(userKey, sequence) like the model: the newest version <= sequence, tombstones included', () => {
    fc.assert(
      fc.property(entriesArb(), optionsArb, fc.array(userKeyArb, { maxLength: 8 }), (entries, options, absent) => {
        const reader = open(entries, options);
        const userKeys = new Map(entries.map((e) => [formatBytes(e.userKey), e.userKey]));
        for (const k of absent) userKeys.set(formatBytes(k), k);
        for (const userKey of userKeys.values()) {
          // At each version's sequence, just below and just above it, and at the extremes.
          const sequences = entries
            .filter((e) => bytesEqual(e.userKey, userKey))
            .flatMap((e) => [e.sequence - 1, e.sequence, e.sequence + 1])
            .filter((s) => s >= 0 && s <= MAX_SEQUENCE);
          for (const sequence of [0, 500, MAX_SEQUENCE, ...sequences]) {
            const want = modelGet(entries, userKey, sequence);
            const got = reader.get(userKey, sequence);
            expect(
              got === undefined ? 'undefined' : show({ userKey, ...got }),
              `get(${formatBytes(userKey)}, ${sequence}) with ${JSON.stringify(options)}: the newest version with sequence <= ${sequence} ` +
                '(a tombstone is returned as a tombstone); seek the index and the block to (userKey, sequence, PUT) and check the user key',
            ).toBe(want === undefined ? 'undefined' : show(want));
          }
        }
        reader.close();
      }),
      { numRuns: 60 },
    );
  });

  it('iterates every entry in order, forward and backward', () => {
    fc.assert(
      fc.property(entriesArb(), optionsArb, (entries, options) => {
        const reader = open(entries, options);
        const want = entries.map(show);
        expect(
          scanForward(reader.iterator()),
          `forward with ${JSON.stringify(options)}: at the end of a block, step the index and start the next block at its first entry`,
        ).toEqual(want);
        expect(
          scanBackward(reader.iterator()),
          `backward with ${JSON.stringify(options)}: before the start of a block, step the index back and start the previous block at its last entry`,
        ).toEqual([...want].reverse());
        reader.close();
      }),
      { numRuns: 60 },
    );
  });

  it('seeks to the first entry >= (userKey, sequence): present, absent, before the first and after the last', () => {
    fc.assert(
      fc.property(
        entriesArb(),
        optionsArb,
        fc.array(fc.tuple(userKeyArb, fc.integer({ min: 0, max: 1000 })), { maxLength: 6 }),
        (entries, options, probes) => {
          const reader = open(entries, options);
          const targets: [Uint8Array, number][] = [
            ...entries.map((e): [Uint8Array, number] => [e.userKey, e.sequence]),
            ...entries.map((e): [Uint8Array, number] => [e.userKey, MAX_SEQUENCE]),
            ...probes,
            [new Uint8Array(0), MAX_SEQUENCE], // before every entry
            [Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0], // after (almost) every entry
          ];
          const it = reader.iterator();
          for (const [userKey, sequence] of targets) {
            const at = modelSeek(entries, userKey, sequence);
            it.seek(userKey, sequence);
            expect(
              here(it),
              `seek(${formatBytes(userKey)}, ${sequence}) with ${JSON.stringify(options)}: the first entry at or after ` +
                `${formatInternalKey({ userKey, sequence, kind: ValueKind.Put })}; the index entry to use is the first whose key is >= the target`,
            ).toBe(at === entries.length ? '(not valid)' : show(entries[at]!));
          }
          reader.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('moves back and forth across block boundaries like the model (random walks)', () => {
    fc.assert(
      fc.property(
        entriesArb(30),
        optionsArb,
        fc.nat(),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        (entries, options, start, steps) => {
          const reader = open(entries, options);
          const it = reader.iterator();
          let at = start % entries.length;
          it.seek(entries[at]!.userKey, entries[at]!.sequence);
          const path: string[] = [`seek to ${show(entries[at]!)}`];
          for (const forward of steps) {
            if (at < 0 || at >= entries.length) break;
            if (forward) {
              it.next();
              at++;
            } else {
              it.prev();
              at--;
            }
            path.push(forward ? 'next' : 'prev');
            expect(
              here(it),
              `after ${path.join(', ')} with ${JSON.stringify(options)}`,
            ).toBe(at < 0 || at >= entries.length ? '(not valid)' : show(entries[at]!));
          }
          reader.close();
        },
      ),
      { numRuns: 80 },
    );
  });

  it('holds a single entry, an empty value, a tombstone and a huge value in one-entry blocks', () => {
    const entries = [
      entry('', 5, ''),
      entry('a', 9),
      entry('a', 3, 'old'),
      { userKey: utf8('big'), sequence: 1, kind: ValueKind.Put, value: new Uint8Array(100_000).fill(7) },
    ];
    for (const blockSize of [1, 4096]) {
      const reader = open(entries, { blockSize });
      expect(scanForward(reader.iterator())).toEqual(entries.map(show));
      expect(reader.get(utf8(''))?.value.length, 'the empty user key is a key like any other').toBe(0);
      expect(reader.get(utf8('a'))?.kind, 'get returns the tombstone a#9,DEL: it hides a#3,PUT').toBe(ValueKind.Delete);
      expect(formatBytes(reader.get(utf8('a'), 8)?.value ?? utf8('?')), 'get(a, 8) sees a#3,PUT').toBe('old');
      expect(reader.get(utf8('big'))?.value.length).toBe(100_000);
      reader.close();
    }
    const single = open([entry('only', 1, 'one')], {});
    expect(scanBackward(single.iterator())).toEqual(['only#1,PUT=one']);
    expect(single.get(utf8('only'), 0), 'nothing is visible at sequence 0 when the only version is 1').toBeUndefined();
    single.close();
  });
});
