/**
 * Chapter 2, the record format: encodeRecord, frameDamage and decodeRecord
 * (tasks 2.1-2.3). The layout is pinned byte for byte by worked examples
 * computed here from the documented layout, and by round trips.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '#toolkit/byte-writer.ts';
import { formatBytes, toHex, utf8 } from '#toolkit/bytes.ts';
import { crc32c, maskCrc } from '#toolkit/crc32c.ts';
import { CorruptionError, InvalidArgumentError } from '#toolkit/errors.ts';
import { readU32, writeU32 } from '#toolkit/fixed-int.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { MAX_SEQUENCE, ValueKind } from '#memtable/internal-key.ts';
import { decodeRecord, encodeRecord, frameDamage, type WalEntry } from '#wal/wal-record.ts';
import { WriteBatch } from '#wal/write-batch.ts';

// ---- helpers -------------------------------------------------------------

function encode(batch: WriteBatch, firstSequence: number): Uint8Array {
  const out = new ByteWriter();
  encodeRecord(out, batch, firstSequence);
  return out.toBytes();
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** `key#seq,PUT=value`, with long values shortened to their length and checksum. */
function show(e: WalEntry): string {
  const value = e.value.length > 24 ? `<${e.value.length} bytes ${crc32c(e.value).toString(16)}>` : formatBytes(e.value);
  return `${formatBytes(e.key)}#${e.sequence},${e.kind === ValueKind.Put ? 'PUT' : 'DEL'}=${value}`;
}

/** What `batch` at `firstSequence` should read back as. */
function expected(batch: WriteBatch, firstSequence: number): string[] {
  return batch.entries.map((e, i) => show({ sequence: firstSequence + i, ...e }));
}

/**
 * Builds a record by hand from the documented layout, with a correct crc, so
 * tests can make records whose checksum matches but whose content is wrong.
 */
function rawRecord(f: {
  sequenceLow: number;
  sequenceHigh?: number;
  kind: number;
  key?: Uint8Array;
  value?: Uint8Array;
}): Uint8Array {
  const key = f.key ?? new Uint8Array(0);
  const value = f.value ?? new Uint8Array(0);
  const out = new Uint8Array(21 + key.length + value.length);
  writeU32(out, 4, f.sequenceLow);
  writeU32(out, 8, f.sequenceHigh ?? 0);
  writeU32(out, 12, key.length);
  writeU32(out, 16, value.length);
  out[20] = f.kind;
  out.set(key, 21);
  out.set(value, 21 + key.length);
  writeU32(out, 0, maskCrc(crc32c(out.subarray(4))));
  return out;
}

const largeValue = fc
  .record({ length: fc.integer({ min: 65_536, max: 70_000 }), seed: fc.integer() })
  .map(({ length, seed }) => {
    const random = new SeededRandom(seed);
    const v = new Uint8Array(length);
    for (let i = 0; i < length; i++) v[i] = random.below(256);
    return v;
  });
const valueArb = fc.oneof(
  { weight: 12, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: largeValue },
);
const entryArb = fc.oneof(
  fc.record({ put: fc.constant(true), key: fc.uint8Array({ maxLength: 16 }), value: valueArb }),
  fc.record({ put: fc.constant(false), key: fc.uint8Array({ maxLength: 16 }), value: fc.constant(new Uint8Array(0)) }),
);
const batchArb = fc.array(entryArb, { minLength: 1, maxLength: 8 }).map((entries) => {
  const batch = new WriteBatch();
  for (const e of entries) {
    if (e.put) batch.put(e.key, e.value);
    else batch.delete(e.key);
  }
  return batch;
});
const sequenceArb = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.integer({ min: 0, max: 20 }).map((d) => MAX_SEQUENCE - d),
);
/** A batch and a first sequence that leaves room for all its entries. */
const recordArb = fc
  .tuple(batchArb, sequenceArb)
  .map(([batch, seq]) => ({ batch, firstSequence: Math.min(seq, MAX_SEQUENCE - batch.count + 1) }));

// ---- the layout ----------------------------------------------------------

describe('encodeRecord writes the documented layout', () => {
  it('encodes put("k", "v") at sequence 7 as the 23 bytes the lesson shows', () => {
    const bytes = encode(new WriteBatch().put(utf8('k'), utf8('v')), 7);
    // Everything after the crc, field by field, little-endian:
    //   sequence u64 | key_length u32 | value_length u32 | kind u8 | key | value
    const body = '0700000000000000' + '01000000' + '01000000' + '01' + '6b' + '76';
    expect(toHex(bytes.subarray(4)), 'bytes 4..: sequence u64, key_length u32, value_length u32, kind u8 (Put = 1), key, value').toBe(body);
    expect(
      readU32(bytes, 0),
      'the first 4 bytes hold maskCrc(crc32c(every byte after the crc field)), little-endian: did you checksum only the payload, or forget to mask?',
    ).toBe(maskCrc(crc32c(fromHex(body))));
    expect(toHex(bytes)).toBe('9d4b20ef' + body);
  });

  it('encodes delete("k") at sequence 300 as a Delete record (kind 0) with an empty value', () => {
    const bytes = encode(new WriteBatch().delete(utf8('k')), 300);
    const body = '2c01000000000000' + '01000000' + '00000000' + '00' + '6b';
    expect(toHex(bytes.subarray(4)), 'sequence 300 = 0x012c, little-endian; a Delete has kind 0 and value_length 0').toBe(body);
    expect(readU32(bytes, 0)).toBe(maskCrc(crc32c(fromHex(body))));
  });

  it('encodes a batch of two writes as ONE Batch record: empty key, a count, then varint-framed entries', () => {
    const bytes = encode(new WriteBatch().put(utf8('a'), utf8('1')).delete(utf8('b')), 9);
    const entries = '02000000' + ('01' + '01' + '01' + '61' + '31') + ('00' + '01' + '00' + '62');
    const body = '0900000000000000' + '00000000' + '0d000000' + '02' + entries;
    expect(
      toHex(bytes.subarray(4)),
      'a Batch record: sequence of its first entry, key_length 0, value_length 13, kind 2, then [count u32] and each entry as [kind u8][key_length varint][value_length varint][key][value]',
    ).toBe(body);
    expect(readU32(bytes, 0)).toBe(maskCrc(crc32c(fromHex(body))));
    expect(toHex(bytes)).toBe('20bc0061' + body);
  });

  it('appends to the ByteWriter it is given, after what is already there', () => {
    const out = new ByteWriter();
    out.bytes(utf8('xyz'));
    encodeRecord(out, new WriteBatch().put(utf8('k'), utf8('v')), 7);
    const bytes = out.toBytes();
    expect(formatBytes(bytes.subarray(0, 3)), 'encodeRecord must not reset or overwrite the writer').toBe('xyz');
    expect(toHex(bytes.subarray(3)), 'the crc covers only this record: start it after the bytes already in the writer').toBe(
      '9d4b20ef0700000000000000010000000100000001' + '6b76',
    );
  });
});

// ---- round trips ---------------------------------------------------------

describe('decodeRecord reads back what encodeRecord wrote', () => {
  it('round-trips random batches: empty keys and values, binary bytes, values over 64 KiB, sequences up to 2^53 - 1', () => {
    fc.assert(
      fc.property(recordArb, ({ batch, firstSequence }) => {
        const bytes = encode(batch, firstSequence);
        expect(frameDamage(bytes, 0), 'an intact record has no frame damage').toBeUndefined();
        const record = decodeRecord(bytes, 0);
        expect(record.entries.map(show), 'entry i of a batch gets sequence firstSequence + i').toEqual(expected(batch, firstSequence));
        expect(record.end, 'end is the offset just past the record').toBe(bytes.length);
        expect(record.type, 'one write is a Put or Delete record, several are one Batch record').toBe(
          batch.count === 1 ? batch.entries[0]!.kind : 2,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('decodes records written back to back, each from the offset where the previous one ended', () => {
    fc.assert(
      fc.property(fc.array(batchArb, { minLength: 1, maxLength: 6 }), (batches) => {
        const out = new ByteWriter();
        const want: string[] = [];
        let sequence = 1;
        for (const batch of batches) {
          encodeRecord(out, batch, sequence);
          want.push(...expected(batch, sequence));
          sequence += batch.count;
        }
        const bytes = out.toBytes();
        const got: string[] = [];
        let offset = 0;
        while (offset < bytes.length) {
          const record = decodeRecord(bytes, offset);
          got.push(...record.entries.map(show));
          offset = record.end;
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 50 },
    );
  });
});

// ---- damage --------------------------------------------------------------

describe('decodeRecord never returns damaged bytes as data', () => {
  const batch = new WriteBatch().put(utf8('apple'), utf8('red')).delete(utf8('pear')).put(new Uint8Array(0), utf8('x'));
  // header + count + 3 entries of (kind, key_length, value_length) + "apple" "red" "pear" "" "" "x".
  const size = 21 + 4 + 3 * 3 + (5 + 3 + 4 + 0 + 0 + 1);

  it('rejects every change of any single byte, in the header or the payload, with a CorruptionError', () => {
    const good = encode(batch, 42);
    expect(good.length).toBe(size);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: size - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const bad = good.slice();
        bad[at]! ^= xor;
        expect(frameDamage(bad, 0), `byte ${at} changed: the crc covers every byte after the crc field, header included`).toBeTypeOf('string');
        expect(() => decodeRecord(bad, 0, 'test.log')).toThrow(CorruptionError);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a record cut at any length with a CorruptionError, never a RangeError or short data', () => {
    const good = encode(batch, 42);
    for (let cut = 0; cut < good.length; cut++) {
      const bytes = good.subarray(0, cut);
      expect(frameDamage(bytes, 0), `cut to ${cut} bytes: check the header fits, then that key_length + value_length fit`).toMatch(
        /truncated/,
      );
      let thrown: unknown;
      try {
        decodeRecord(bytes, 0, 'test.log');
      } catch (error) {
        thrown = error;
      }
      expect(thrown, `cut to ${cut} bytes`).toBeInstanceOf(CorruptionError);
      expect((thrown as CorruptionError).file).toBe('test.log');
    }
  });

  it('checks lengths against the bytes before trusting them: a huge key_length is a truncation, not an allocation', () => {
    const good = encode(batch, 42);
    const bad = good.slice();
    writeU32(bad, 12, 0xffff_fff0);
    expect(frameDamage(bad, 0)).toMatch(/truncated/);
    expect(() => decodeRecord(bad, 0)).toThrow(CorruptionError);
  });

  it('reads a record at a non-zero offset and reports damage at that offset', () => {
    const good = encode(batch, 42);
    const bytes = new Uint8Array(10 + good.length);
    bytes.set(good, 10);
    expect(decodeRecord(bytes, 10).entries.map(show)).toEqual(expected(batch, 42));
    bytes[bytes.length - 1]! ^= 1;
    let thrown: unknown;
    try {
      decodeRecord(bytes, 10, 'seg.log');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CorruptionError);
    expect((thrown as CorruptionError).offset, 'the offset of the damaged record').toBe(10);
  });
});

describe('decodeRecord checks the content even when the checksum matches', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['a sequence above 2^53 - 1', rawRecord({ sequenceLow: 0, sequenceHigh: 0x20_0000, kind: 1, key: utf8('k') }), /53 bits|2\^53/],
    ['sequence 0', rawRecord({ sequenceLow: 0, kind: 1, key: utf8('k') }), /sequence/],
    ['an unknown record type', rawRecord({ sequenceLow: 5, kind: 3, key: utf8('k') }), /type|kind/],
    ['a Delete with a value', rawRecord({ sequenceLow: 5, kind: 0, key: utf8('k'), value: utf8('v') }), /Delete/],
    [
      'a Batch with a key',
      rawRecord({ sequenceLow: 5, kind: 2, key: utf8('k'), value: fromHex('01000000' + '0101016b76') }),
      /key/,
    ],
    ['a Batch whose count does not fit its bytes', rawRecord({ sequenceLow: 5, kind: 2, value: fromHex('09000000' + '0101016b76') }), /batch|fit/i],
    ['a Batch of zero entries', rawRecord({ sequenceLow: 5, kind: 2, value: fromHex('00000000') }), /batch|fit/i],
    ['a Batch with bytes left after its entries', rawRecord({ sequenceLow: 5, kind: 2, value: fromHex('01000000' + '0101016b76' + 'ff') }), /left/],
    ['a Batch entry running past the record', rawRecord({ sequenceLow: 5, kind: 2, value: fromHex('01000000' + '0101056b76') }), /truncated|entry/],
    ['a Batch entry of unknown kind', rawRecord({ sequenceLow: 5, kind: 2, value: fromHex('01000000' + '0701016b76') }), /kind/],
    [
      'a Batch whose last sequence passes 2^53 - 1',
      rawRecord({ sequenceLow: 0xffff_ffff, sequenceHigh: 0x1f_ffff, kind: 2, value: fromHex('02000000' + '0101016b76' + '0101016b76') }),
      /2\^53|53 bits/,
    ],
  ];

  it.each(cases)('rejects %s with a CorruptionError', (_name, bytes, reason) => {
    let thrown: unknown;
    try {
      decodeRecord(bytes, 0, 'test.log');
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'a matching checksum only says the bytes are what was written; check they make sense').toBeInstanceOf(CorruptionError);
    expect((thrown as CorruptionError).reason).toMatch(reason);
  });

  it('accepts the largest sequence, 2^53 - 1', () => {
    const bytes = rawRecord({ sequenceLow: 0xffff_ffff, sequenceHigh: 0x1f_ffff, kind: 1, key: utf8('k') });
    expect(decodeRecord(bytes, 0).entries.map(show)).toEqual([`k#${MAX_SEQUENCE},PUT=`]);
  });
});

// ---- bad input -----------------------------------------------------------

describe('encodeRecord refuses what it cannot write', () => {
  it('refuses an empty batch with an InvalidArgumentError', () => {
    const out = new ByteWriter();
    expect(() => encodeRecord(out, new WriteBatch(), 1), 'an empty batch has no record to write').toThrow(InvalidArgumentError);
    expect(out.length, 'nothing may be written for a refused batch').toBe(0);
  });

  it.each([
    ['0', 0, 1],
    ['2^53 (above the largest)', MAX_SEQUENCE + 1, 1],
    ['2^53 - 1 for a batch of two (its second entry would pass 2^53 - 1)', MAX_SEQUENCE, 2],
    ['1.5', 1.5, 1],
    ['NaN', Number.NaN, 1],
    ['-3', -3, 1],
  ])('refuses first sequence %s with an InvalidArgumentError', (_name, sequence, count) => {
    const batch = new WriteBatch();
    for (let i = 0; i < count; i++) batch.put(utf8(`k${i}`), utf8('v'));
    const out = new ByteWriter();
    expect(() => encodeRecord(out, batch, sequence), 'every sequence in the batch must be an integer in 1 .. 2^53 - 1').toThrow(
      InvalidArgumentError,
    );
    expect(out.length, 'check the arguments before writing anything').toBe(0);
  });

  it('accepts a batch that ends exactly at 2^53 - 1', () => {
    const batch = new WriteBatch().put(utf8('a'), utf8('1')).put(utf8('b'), utf8('2'));
    const record = decodeRecord(encode(batch, MAX_SEQUENCE - 1), 0);
    expect(record.entries.map((e) => e.sequence)).toEqual([MAX_SEQUENCE - 1, MAX_SEQUENCE]);
  });
});
