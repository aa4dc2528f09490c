/**
 * The memtable against a model (tasks 1.1–1.7 together): random puts and
 * deletes, then reads at random snapshot sequences compared with a plain
 * Map of every key's history, and full iterations compared with the model's
 * versions sorted by hand.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compareBytes, formatBytes } from '#toolkit/bytes.ts';
import { formatInternalKey, MAX_SEQUENCE, ValueKind } from '#memtable/internal-key.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { MemTable, type MemTableEntry } from '#memtable/memtable.ts';

/** A small alphabet of keys so that overwrites and deletes of one key happen often. */
const KEYS: readonly Uint8Array[] = [
  Uint8Array.of(),
  Uint8Array.of(0x00),
  Uint8Array.of(0x00, 0xff),
  Uint8Array.of(0x61),
  Uint8Array.of(0x61, 0x62),
  Uint8Array.of(0x62),
  Uint8Array.of(0xff),
];
/** Keys never written: between, before and after the alphabet. */
const ABSENT: readonly Uint8Array[] = [Uint8Array.of(0x00, 0x00), Uint8Array.of(0x61, 0x00), Uint8Array.of(0xff, 0xff)];

interface Write {
  readonly kind: ValueKind;
  readonly keyIndex: number;
  readonly value: Uint8Array;
  /** How far this write's sequence is past the previous one (gaps are allowed). */
  readonly step: number;
}

const writeArb: fc.Arbitrary<Write> = fc.record({
  kind: fc.constantFrom(ValueKind.Put, ValueKind.Put, ValueKind.Delete),
  keyIndex: fc.integer({ min: 0, max: KEYS.length - 1 }),
  value: fc.uint8Array({ maxLength: 4 }),
  step: fc.integer({ min: 1, max: 3 }),
});

/** One version in the model: what the memtable should hold for one write. */
interface Version {
  readonly key: Uint8Array;
  readonly sequence: number;
  readonly kind: ValueKind;
  readonly value: Uint8Array;
}

/** Applies the writes to a memtable and to the model: a Map from key (hex) to its versions, oldest first. */
function build(writes: readonly Write[]): { mt: MemTable; model: Map<string, Version[]>; last: number } {
  const mt = new MemTable();
  const model = new Map<string, Version[]>();
  let sequence = 0;
  for (const w of writes) {
    sequence += w.step;
    const key = KEYS[w.keyIndex]!;
    const value = w.kind === ValueKind.Put ? w.value : new Uint8Array(0);
    if (w.kind === ValueKind.Put) mt.put(sequence, key, value);
    else mt.delete(sequence, key);
    const id = formatBytes(key);
    model.set(id, [...(model.get(id) ?? []), { key, sequence, kind: w.kind, value }]);
  }
  return { mt, model, last: sequence };
}

/** The model's answer to get(key, s): the newest version with sequence <= s. */
function modelGet(model: Map<string, Version[]>, key: Uint8Array, s: number): Version | undefined {
  const versions = model.get(formatBytes(key)) ?? [];
  return versions.filter((v) => v.sequence <= s).at(-1);
}

const showEntry = (e: MemTableEntry | Version | undefined): string =>
  e === undefined ? 'none' : `#${e.sequence},${e.kind === ValueKind.Put ? 'PUT' : 'DEL'}=${formatBytes(e.value)}`;

const showVersion = (v: Version): string =>
  `${formatInternalKey({ userKey: v.key, sequence: v.sequence, kind: v.kind })}=${formatBytes(v.value)}`;

/** Every version in the model, in internal-key order, sorted by hand. */
function modelOrder(model: Map<string, Version[]>): string[] {
  const all = [...model.values()].flat();
  all.sort((a, b) => compareBytes(a.key, b.key) || b.sequence - a.sequence);
  return all.map(showVersion);
}

function current(it: InternalIterator): string {
  return `${formatInternalKey({ userKey: it.key(), sequence: it.sequence(), kind: it.kind() })}=${formatBytes(it.value())}`;
}

describe('MemTable against a model', () => {
  test('get(key, s) returns what a Map of each key’s history says was newest at s', () => {
    fc.assert(
      fc.property(fc.array(writeArb, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }), (writes, picks) => {
        const { mt, model, last } = build(writes);
        // Snapshot sequences: 0, the last, past the last, MAX_SEQUENCE, and a few in between.
        const snapshots = [0, last, last + 1, MAX_SEQUENCE, ...picks.map((p) => p % (last + 1))];
        for (const s of snapshots) {
          for (const key of [...KEYS, ...ABSENT]) {
            expect(
              showEntry(mt.get(key, s)),
              `get(${formatBytes(key)}, ${s}): the newest version with sequence <= ${s}, tombstones included, none if the key had no version yet`,
            ).toBe(showEntry(modelGet(model, key, s)));
          }
        }
        expect(mt.lastSequence).toBe(last);
        expect(mt.entryCount, 'one entry per write').toBe(writes.length);
      }),
    );
  });

  test('a full iteration, forwards and backwards, lists the model’s versions in internal-key order', () => {
    fc.assert(
      fc.property(fc.array(writeArb, { maxLength: 40 }), (writes) => {
        const { mt, model } = build(writes);
        const want = modelOrder(model);
        const it = mt.iterator();
        const got: string[] = [];
        // The bound stops a cursor that never becomes invalid from looping forever.
        for (it.seekToFirst(); it.valid() && got.length <= writes.length; it.next()) got.push(current(it));
        expect(got, 'forward: user key ascending (bytewise), sequence descending').toEqual(want);
        const back: string[] = [];
        for (it.seekToLast(); it.valid() && back.length <= writes.length; it.prev()) back.push(current(it));
        expect(back, 'backward: the exact reverse; prev() moves to the last entry strictly before the current one').toEqual(
          [...want].reverse(),
        );
      }),
    );
  });

  test('seek(key, s) lands on the first version at or after (key, s) in internal-key order', () => {
    fc.assert(
      fc.property(
        fc.array(writeArb, { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: KEYS.length + ABSENT.length - 1 }), fc.nat()), { minLength: 1, maxLength: 10 }),
        (writes, seeks) => {
          const { mt, model, last } = build(writes);
          const versions = [...model.values()].flat();
          versions.sort((a, b) => compareBytes(a.key, b.key) || b.sequence - a.sequence);
          const it = mt.iterator();
          for (const [keyIndex, pick] of seeks) {
            const key = [...KEYS, ...ABSENT][keyIndex]!;
            const s = pick % (last + 2);
            const want = versions.find((v) => {
              const c = compareBytes(v.key, key);
              return c > 0 || (c === 0 && v.sequence <= s);
            });
            it.seek(key, s);
            expect(it.valid() ? current(it) : 'invalid', `seek(${formatBytes(key)}, ${s})`).toBe(
              want === undefined ? 'invalid' : showVersion(want),
            );
          }
        },
      ),
    );
  });
});
