/**
 * Chapter 4, blocks (tasks 4.3-4.7): the bytes BlockBuilder writes are
 * pinned against the documented layout, entry by entry, with messages that
 * name the entry and the field; then Block and BlockIterator read back any
 * sorted set of keys, forward, backward and by seek; and damaged entries
 * are CorruptionErrors.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '#toolkit/byte-writer.ts';
import { formatBytes, sharedPrefixLength, toHex, utf8 } from '#toolkit/bytes.ts';
import { CorruptionError } from '#toolkit/errors.ts';
import { readU32 } from '#toolkit/fixed-int.ts';
import { readVarint } from '#toolkit/varint.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { BlockBuilder } from '#sstable/block-builder.ts';
import { Block, type BlockIterator } from '#sstable/block.ts';
import { compareEncodedKeys, encodeInternalKey, formatEncodedKey } from '#sstable/internal-key-codec.ts';
import { corruption, userKeyArb } from './support.ts';

const put = (key: string, sequence: number): Uint8Array => encodeInternalKey(utf8(key), sequence, ValueKind.Put);
const del = (key: string, sequence: number): Uint8Array => encodeInternalKey(utf8(key), sequence, ValueKind.Delete);

/** The documented layout, computed here independently of BlockBuilder. */
function expectedBlock(entries: readonly [Uint8Array, Uint8Array][], restartInterval: number): Uint8Array {
  const out = new ByteWriter();
  const restarts: number[] = [];
  entries.forEach(([key, value], i) => {
    let shared = 0;
    if (i % restartInterval === 0) restarts.push(out.length);
    else shared = sharedPrefixLength(entries[i - 1]![0], key);
    out.varint(shared).varint(key.length - shared).varint(value.length).bytes(key.subarray(shared)).bytes(value);
  });
  for (const r of restarts) out.u32(r);
  out.u32(restarts.length);
  return out.toBytes();
}

function build(entries: readonly [Uint8Array, Uint8Array][], restartInterval: number): Uint8Array {
  const builder = new BlockBuilder(restartInterval);
  for (const [key, value] of entries) builder.add(key, value);
  return builder.finish().slice();
}

/**
 * Compares a block against the documented layout field by field, so that a
 * mistake is reported where it is ("entry 16 must be a restart point").
 */
function expectLayout(actual: Uint8Array, entries: readonly [Uint8Array, Uint8Array][], restartInterval: number): void {
  const expected = expectedBlock(entries, restartInterval);
  const restartCount = Math.ceil(entries.length / restartInterval);
  let at = 0;
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    const what = `entry ${i} (${formatEncodedKey(key)})`;
    const shared = readVarint(actual, at);
    const unshared = shared && readVarint(actual, shared.next);
    const valueLength = unshared && readVarint(actual, unshared.next);
    expect(valueLength, `${what}: three varints (shared, unshared, value_length) at offset ${at}`).toBeDefined();
    if (i % restartInterval === 0) {
      expect(
        shared!.value,
        i === 0
          ? `${what} is the first entry: it is a restart point, so shared must be 0 (nothing before it to share with)`
          : `${what} must be a restart point (restarts are entries 0, ${restartInterval}, ${2 * restartInterval}, ...): shared must be 0`,
      ).toBe(0);
    } else {
      const want = sharedPrefixLength(entries[i - 1]![0], key);
      if (want > 0) {
        expect(
          shared!.value,
          `${what} is not a restart point (those are entries 0, ${restartInterval}, ${2 * restartInterval}, ...): ` +
            'it must share its prefix with the previous key',
        ).not.toBe(0);
      }
      expect(
        shared!.value,
        `${what}: shared must be the length of the common prefix with the PREVIOUS entry's key (${want} bytes), ` +
          'not with the restart point\'s key; the encoded keys include their 8-byte trailers',
      ).toBe(want);
    }
    expect(unshared!.value, `${what}: unshared = key length (${key.length}) - shared`).toBe(key.length - shared!.value);
    expect(valueLength!.value, `${what}: value_length`).toBe(value.length);
    const keyAt = valueLength!.next;
    expect(toHex(actual.subarray(keyAt, keyAt + unshared!.value)), `${what}: the unshared bytes of the key`).toBe(
      toHex(key.subarray(shared!.value)),
    );
    const valueAt = keyAt + unshared!.value;
    expect(toHex(actual.subarray(valueAt, valueAt + value.length)), `${what}: the value follows the key bytes`).toBe(
      toHex(value),
    );
    at = valueAt + value.length;
  }
  expect(
    readU32(actual, actual.length - 4),
    `the last 4 bytes are the restart count: ${entries.length} entries at interval ${restartInterval} make ${restartCount} restart points`,
  ).toBe(restartCount);
  const restarts = Array.from({ length: restartCount }, (_, j) => readU32(actual, at + 4 * j));
  const wantRestarts = Array.from({ length: restartCount }, (_, j) => readU32(expected, at + 4 * j));
  expect(restarts, 'after the entries: the offset (u32) of every restart point, entry 0 first').toEqual(wantRestarts);
  expect(toHex(actual), 'the whole block').toBe(toHex(expected));
}

/** Every entry of a block from seekToFirst, as `key=value` text. */
function forward(it: BlockIterator): string[] {
  const out: string[] = [];
  for (it.seekToFirst(); it.valid(); it.next()) out.push(`${formatEncodedKey(it.key())}=${formatBytes(it.value())}`);
  return out;
}

function backward(it: BlockIterator): string[] {
  const out: string[] = [];
  for (it.seekToLast(); it.valid(); it.prev()) out.push(`${formatEncodedKey(it.key())}=${formatBytes(it.value())}`);
  return out;
}

describe('BlockBuilder', () => {
  it('writes the worked example of the lesson byte for byte (restart interval 2)', () => {
    const entries: [Uint8Array, Uint8Array][] = [
      [put('apple', 3), utf8('red')],
      [del('apple', 2), utf8('')],
      [put('applet', 5), utf8('x')],
      [put('apricot', 4), utf8('ok')],
    ];
    const block = build(entries, 2);
    expectLayout(block, entries, 2);
    // The same hex as in chapters/04-sstable/README.md.
    expect(toHex(block)).toBe(
      // entry 0 @0, a restart point: shared 0, unshared 13, value 3; "apple", trailer (PUT, 3), "red"
      '000d03' + '6170706c65' + '0103000000000000' + '726564' +
        // entry 1 @19: shares "apple" (5 bytes) with entry 0; the 8 trailer bytes (DEL, 2); no value
        '050800' + '0002000000000000' +
        // entry 2 @30, a restart point: stored whole although it shares "apple" with entry 1
        '000e01' + '6170706c6574' + '0105000000000000' + '78' +
        // entry 3 @48: shares "ap" with entry 2
        '020d02' + '7269636f74' + '0104000000000000' + '6f6b' +
        // restart offsets 0 and 30, restart count 2
        '00000000' + '1e000000' + '02000000',
    );
  });

  it('compresses each key against the previous one and restarts every 16 entries', () => {
    // Keys chosen so that compressing against the restart key, or restarting at
    // the wrong entry, gives different bytes.
    const names = [
      'apple', 'apple', 'applesauce', 'applet', 'apply', 'apricot', 'apricots', 'banana',
      'band', 'bandana', 'bandit', 'bang', 'bangle', 'bank', 'banker', 'banks',
      'bar', 'barley', 'barn', 'baron', 'cherry',
    ];
    const entries: [Uint8Array, Uint8Array][] = names.map((name, i) => [
      i === 1 ? del(name, 7) : put(name, i === 0 ? 9 : 1),
      utf8(i % 3 === 0 ? '' : `v${i}`),
    ]);
    expectLayout(build(entries, 16), entries, 16);
    expectLayout(build(entries, 1), entries, 1);
    expectLayout(build(entries, 5), entries, 5);
  });

  it('never compresses the first key of a block, even after reset()', () => {
    const builder = new BlockBuilder(16);
    builder.add(put('user:0001', 1), utf8('a'));
    builder.add(put('user:0002', 1), utf8('b'));
    builder.finish();
    builder.reset();
    builder.add(put('user:0003', 1), utf8('c'));
    const block = builder.finish().slice();
    expect(
      readVarint(block, 0)?.value,
      'the first entry after reset() shares nothing: reset() must forget the previous block\'s last key and restarts',
    ).toBe(0);
    expectLayout(block, [[put('user:0003', 1), utf8('c')]], 16);
  });

  it('estimatedSize is the size finish() returns', () => {
    const builder = new BlockBuilder(4);
    for (let i = 0; i < 30; i++) builder.add(put(`key${String(i).padStart(3, '0')}`, 1), utf8('v'.repeat(i)));
    const size = builder.estimatedSize;
    expect(builder.finish().length, 'entries + 4 bytes per restart point + 4 for the count').toBe(size);
  });
});

describe('BlockIterator', () => {
  const sortedKeysArb = fc
    .uniqueArray(
      fc.tuple(userKeyArb, fc.integer({ min: 0, max: 300 }), fc.constantFrom(ValueKind.Put, ValueKind.Delete)),
      { minLength: 1, maxLength: 60, selector: ([k, s, kind]) => `${formatBytes(k)}#${s},${kind}` },
    )
    .map((keys) =>
      keys
        .map(([k, s, kind]) => encodeInternalKey(k, s, kind))
        .sort((a, b) => compareEncodedKeys(a, b)),
    );

  it('reads back every entry forward and backward, for any restart interval', () => {
    fc.assert(
      fc.property(sortedKeysArb, fc.constantFrom(1, 2, 3, 16), (keys, interval) => {
        const entries: [Uint8Array, Uint8Array][] = keys.map((k, i) => [k, utf8(i % 4 === 0 ? '' : `v${i}`)]);
        const block = Block.decode(build(entries, interval));
        const want = entries.map(([k, v]) => `${formatEncodedKey(k)}=${formatBytes(v)}`);
        expect(forward(block.iterator()), 'seekToFirst then next() until not valid').toEqual(want);
        expect(
          backward(block.iterator()),
          'seekToLast then prev(): prev() must decode forward from the last restart point BEFORE the current entry',
        ).toEqual([...want].reverse());
      }),
    );
  });

  it('seek finds the first key >= the target: present, absent, before the first and after the last', () => {
    fc.assert(
      fc.property(
        sortedKeysArb,
        fc.constantFrom(1, 2, 16),
        fc.array(fc.tuple(userKeyArb, fc.integer({ min: 0, max: 300 })), { maxLength: 10 }),
        (keys, interval, probes) => {
          const block = Block.decode(build(keys.map((k) => [k, k.subarray(0, 2)]), interval));
          const targets = [
            ...keys,
            ...probes.map(([k, s]) => encodeInternalKey(k, s, ValueKind.Put)),
            encodeInternalKey(new Uint8Array(0), Number.MAX_SAFE_INTEGER, ValueKind.Put), // before everything
            encodeInternalKey(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0, ValueKind.Delete), // after (almost) everything
          ];
          const it = block.iterator();
          for (const target of targets) {
            const want = keys.find((k) => compareEncodedKeys(k, target) >= 0);
            it.seek(target);
            const got = it.valid() ? formatEncodedKey(it.key()) : '(not valid)';
            expect(
              got,
              `seek(${formatEncodedKey(target)}): the first key >= target; binary-search the restart points ` +
                '(the last one whose key is < target), then scan forward',
            ).toBe(want === undefined ? '(not valid)' : formatEncodedKey(want));
            if (want !== undefined && it.valid()) {
              // From a seek, both directions must continue correctly.
              const at = keys.indexOf(want);
              it.prev();
              expect(it.valid() ? formatEncodedKey(it.key()) : '(not valid)', `prev() after seek(${formatEncodedKey(target)})`).toBe(
                at === 0 ? '(not valid)' : formatEncodedKey(keys[at - 1]!),
              );
              it.seek(target);
              it.next();
              expect(it.valid() ? formatEncodedKey(it.key()) : '(not valid)', `next() after seek(${formatEncodedKey(target)})`).toBe(
                at === keys.length - 1 ? '(not valid)' : formatEncodedKey(keys[at + 1]!),
              );
            }
          }
        },
      ),
    );
  });
});

describe('damaged entries', () => {
  /** A block of raw entry bytes with one restart point at 0. */
  function rawBlock(entries: number[]): Uint8Array {
    const out = new ByteWriter().bytes(Uint8Array.from(entries)).u32(0).u32(1);
    return out.toBytes();
  }
  /** k#1,PUT encoded: 9 bytes. */
  const keyK = [0x6b, 0x01, 0x01, 0, 0, 0, 0, 0, 0];

  it('are CorruptionErrors naming the block\'s offset in its file, never RangeErrors or garbage', () => {
    // A good block first, so the test fails on a starter that throws for everything.
    const good = Block.decode(rawBlock([0, 9, 1, ...keyK, 0x76]), 'good.sst', 100);
    expect(forward(good.iterator())).toEqual(['k#1,PUT=v']);

    const cases: [string, number[], RegExp][] = [
      ['shared > 0 in the first entry (no previous key)', [3, 6, 0, ...keyK.slice(3)], /shared/],
      ['value running past the entries', [0, 9, 50, ...keyK, 1, 2], /past/],
      ['key running past the entries', [0, 40, 0, ...keyK], /past/],
      ['a truncated varint', [0, 9, 0, ...keyK, 0x80], /varint/],
      ['a key shorter than its 8-byte trailer', [0, 3, 0, 1, 2, 3], /shorter/],
    ];
    for (const [what, bytes, reason] of cases) {
      const block = Block.decode(rawBlock(bytes), 'damaged.sst', 1000);
      const error = corruption(() => {
        const it = block.iterator();
        for (it.seekToFirst(); it.valid(); it.next()) it.value();
      }, what);
      expect(error.file, what).toBe('damaged.sst');
      expect(error.offset, `${what}: the offset is absolute (block offset + entry offset)`).toBeGreaterThanOrEqual(1000);
      expect(error.reason, what).toMatch(reason);
    }
    expect(corruption(() => Block.decode(Uint8Array.of(1, 0, 0, 0)).iterator(), 'restart count 1 in a 4-byte block')).toBeInstanceOf(
      CorruptionError,
    );
  });
});
