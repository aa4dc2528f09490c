import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '#toolkit/byte-reader.ts';
import { ByteWriter } from '#toolkit/byte-writer.ts';
import { toHex } from '#toolkit/bytes.ts';
import { CorruptionError } from '#toolkit/errors.ts';

type Field =
  | { kind: 'u8'; value: number }
  | { kind: 'u32'; value: number }
  | { kind: 'u64'; value: number }
  | { kind: 'varint'; value: number }
  | { kind: 'bytes'; value: Uint8Array };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((value) => ({ kind: 'u8' as const, value })),
  fc.integer({ min: 0, max: 0xffff_ffff }).map((value) => ({ kind: 'u32' as const, value })),
  fc.maxSafeNat().map((value) => ({ kind: 'u64' as const, value })),
  fc.maxSafeNat().map((value) => ({ kind: 'varint' as const, value })),
  fc.uint8Array({ maxLength: 40 }).map((value) => ({ kind: 'bytes' as const, value })),
);

function write(writer: ByteWriter, f: Field): void {
  if (f.kind === 'bytes') writer.varint(f.value.length).bytes(f.value);
  else writer[f.kind](f.value);
}

function read(reader: ByteReader, f: Field): number | Uint8Array {
  if (f.kind === 'bytes') return reader.bytesView(reader.varint('length'), 'bytes').slice();
  return reader[f.kind](f.kind);
}

/** Runs `body` and returns what it threw, failing the test if it threw nothing. */
function thrown(body: () => unknown): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('ByteWriter and ByteReader', () => {
  it('round-trip any sequence of mixed fields, growing far past the initial capacity', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 30 }), (fields) => {
        const writer = new ByteWriter(16);
        for (const f of fields) write(writer, f);
        const reader = new ByteReader(writer.toBytes());
        for (const f of fields) expect(read(reader, f)).toEqual(f.value);
        expect(reader.remaining, 'every byte written is read back').toBe(0);
      }),
    );
  });

  it('keeps every earlier byte when it grows', () => {
    const writer = new ByteWriter(16);
    const expected: number[] = [];
    for (let i = 0; i < 1000; i++) {
      writer.u8(i & 0xff);
      expected.push(i & 0xff);
    }
    writer.bytes(new Uint8Array(5000).fill(7));
    expect(writer.length).toBe(6000);
    expect([...writer.view().subarray(0, 1000)]).toEqual(expected);
    expect(writer.view().subarray(1000).every((b) => b === 7)).toBe(true);
  });

  it('lays fields out little-endian, with no padding', () => {
    const writer = new ByteWriter();
    writer.u8(0xab).u32(0x01020304).varint(300).u64(2 ** 32 + 5);
    expect(toHex(writer.toBytes())).toBe('ab' + '04030201' + 'ac02' + '0500000001000000');
  });

  it('patchU32 overwrites a placeholder, such as a length or checksum written last', () => {
    const writer = new ByteWriter();
    writer.u32(0).bytes(Uint8Array.of(1, 2, 3));
    writer.patchU32(0, writer.length - 4);
    expect(new ByteReader(writer.toBytes()).u32('length')).toBe(3);
  });

  it('toBytes is a copy that later writes do not change; reset empties the writer', () => {
    const writer = new ByteWriter();
    writer.u8(1);
    const copy = writer.toBytes();
    writer.reset();
    writer.u8(2);
    expect([...copy]).toEqual([1]);
    expect([...writer.toBytes()]).toEqual([2]);
  });

  it.each([
    ['u8', (r: ByteReader) => r.u8('flag'), 0],
    ['u32', (r: ByteReader) => r.u32('checksum'), 3],
    ['u64', (r: ByteReader) => r.u64('sequence'), 7],
    ['varint', (r: ByteReader) => r.varint('key length'), 1],
    ['bytesView', (r: ByteReader) => r.bytesView(10, 'value'), 9],
  ])('reading %s past the end is a CorruptionError with the file and the absolute offset, not a RangeError', (_name, readField, available) => {
    // `available` bytes remain after a 2-byte prefix; the buffer sits at offset 1000 in the file.
    const bytes = new Uint8Array(2 + available).fill(0x80);
    const reader = new ByteReader(bytes, 'db/000007.log', 1000);
    reader.bytesView(2, 'prefix');
    const error = thrown(() => readField(reader));
    expect(error).toBeInstanceOf(CorruptionError);
    const corruption = error as CorruptionError;
    expect(corruption.file).toBe('db/000007.log');
    expect(corruption.offset, 'offset = baseOffset + position').toBe(1002);
    expect(corruption.message).toContain('db/000007.log');
    expect(corruption.message).toContain('1002');
    expect(reader.position, 'a failed read does not move the reader').toBe(2);
  });

  it('rejects a u64 above 2^53 - 1 and an over-long varint as corruption', () => {
    const big = new ByteReader(new Uint8Array(8).fill(0xff), 'MANIFEST-000001', 40);
    const e1 = thrown(() => big.u64('next file number'));
    expect(e1).toBeInstanceOf(CorruptionError);
    expect((e1 as CorruptionError).offset).toBe(40);
    const long = new ByteReader(new Uint8Array(12).fill(0x80), 'table', 0);
    expect(thrown(() => long.varint('restart count'))).toBeInstanceOf(CorruptionError);
  });

  it('rejects a negative length instead of reading backwards', () => {
    const reader = new ByteReader(new Uint8Array(8));
    reader.position = 4;
    expect(thrown(() => reader.bytesView(-2, 'value'))).toBeInstanceOf(CorruptionError);
  });

  it('bytesView returns a view of the buffer, not a copy', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4);
    const view = new ByteReader(bytes).bytesView(2, 'two');
    bytes[0] = 9;
    expect([...view]).toEqual([9, 2]);
  });
});
