/**
 * Chapter 7, the MANIFEST's formats (tasks 7.1 and 7.2): a version edit
 * round-trips through its tagged encoding, bad fields are corruption, and
 * the record log tells a torn tail from damage in the middle.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { toHex } from '#toolkit/bytes.ts';
import { CorruptionError } from '#toolkit/errors.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { encodeInternalKey } from '#sstable/internal-key-codec.ts';
import type { FileMetadata } from '#engine/file-metadata.ts';
import { EditTag, NUM_LEVELS } from '#engine/manifest-format.ts';
import { ManifestWriter, scanManifest } from '#engine/manifest-log.ts';
import { decodeVersionEdit, encodeVersionEdit, type VersionEdit } from '#engine/version-edit.ts';
import { utf8 } from './support/engine.ts';

const numberArb = fc.oneof(fc.nat({ max: 1000 }), fc.maxSafeNat());

const fileArb: fc.Arbitrary<FileMetadata> = fc
  .record({
    number: numberArb,
    size: numberArb,
    keys: fc.uniqueArray(fc.uint8Array({ maxLength: 12 }), { minLength: 2, maxLength: 2, comparator: (a, b) => toHex(a) === toHex(b) }),
    sequences: fc.tuple(fc.maxSafeNat(), fc.maxSafeNat()),
    entryCount: numberArb,
    tombstoneCount: numberArb,
  })
  .map(({ number, size, keys, sequences, entryCount, tombstoneCount }) => {
    const [a, b] = [...keys].sort((x, y) => Buffer.compare(x, y));
    const [low, high] = sequences[0] <= sequences[1] ? sequences : [sequences[1], sequences[0]];
    return {
      number,
      size,
      smallest: encodeInternalKey(a!, high, ValueKind.Put),
      largest: encodeInternalKey(b!, low, ValueKind.Delete),
      smallestSequence: low,
      largestSequence: high,
      entryCount,
      tombstoneCount,
    };
  });

const levelArb = fc.integer({ min: 0, max: NUM_LEVELS - 1 });

const editArb: fc.Arbitrary<VersionEdit> = fc.record({
  formatVersion: fc.option(fc.nat({ max: 5 }), { nil: undefined }),
  logNumber: fc.option(numberArb, { nil: undefined }),
  nextFileNumber: fc.option(numberArb, { nil: undefined }),
  lastSequence: fc.option(numberArb, { nil: undefined }),
  deletedFiles: fc.array(fc.record({ level: levelArb, number: numberArb }), { maxLength: 4 }),
  newFiles: fc.array(fc.record({ level: levelArb, file: fileArb }), { maxLength: 4 }),
});

describe('version edit encoding', () => {
  test('every edit decodes to itself', () => {
    fc.assert(
      fc.property(editArb, (edit) => {
        expect(decodeVersionEdit(encodeVersionEdit(edit))).toEqual(edit);
      }),
    );
  });

  test('the worked example: { logNumber: 7, lastSequence: 300 } is 02 07 04 ac 02', () => {
    const bytes = encodeVersionEdit({ logNumber: 7, lastSequence: 300, deletedFiles: [], newFiles: [] });
    expect(toHex(bytes), 'each field is [tag varint][value varint]; 300 is the varint ac 02').toBe('020704ac02');
    expect(encodeVersionEdit({ deletedFiles: [], newFiles: [] }), 'an edit with no fields is empty').toHaveLength(0);
  });

  test('an unknown tag, a repeated field, a level out of range, a bad key or a truncated field is a CorruptionError at its offset', () => {
    const cases: [string, number[], number][] = [
      ['unknown tag 99', [0x02, 0x07, 99, 0x01], 2],
      ['log number twice', [0x02, 0x07, 0x02, 0x08], 2],
      ['level 7', [EditTag.DeletedFile, 7, 3], 1],
      ['truncated varint', [EditTag.LastSequence, 0x80], 1],
      ['a new file whose smallest key is 3 bytes', [EditTag.NewFile, 0, 5, 100, 1, 1, 1, 0, 3, 0x61, 0x62, 0x63], 8],
    ];
    for (const [what, bytes, offset] of cases) {
      let error: unknown;
      try {
        decodeVersionEdit(Uint8Array.from(bytes), 'MANIFEST-000001', 1000);
      } catch (e) {
        error = e;
      }
      expect(error, `${what}: must be a CorruptionError, never a silent skip or a RangeError`).toBeInstanceOf(CorruptionError);
      expect((error as CorruptionError).offset, `${what}: the offset of the bad field, counted from the record start (1000)`).toBe(1000 + offset);
      expect((error as CorruptionError).file).toBe('MANIFEST-000001');
    }
  });

  test('a table whose smallest key sorts after its largest is corruption', () => {
    const file: FileMetadata = {
      number: 5,
      size: 10,
      smallest: encodeInternalKey(utf8('z'), 1, ValueKind.Put),
      largest: encodeInternalKey(utf8('a'), 1, ValueKind.Put),
      smallestSequence: 1,
      largestSequence: 1,
      entryCount: 2,
      tombstoneCount: 0,
    };
    const bytes = encodeVersionEdit({ deletedFiles: [], newFiles: [{ level: 0, file }] });
    expect(() => decodeVersionEdit(bytes)).toThrow(CorruptionError);
  });
});

describe('the MANIFEST record log', () => {
  /** Writes edits as a MANIFEST and returns its bytes and each record's start. */
  function manifestOf(payloads: Uint8Array[]): { bytes: Uint8Array; starts: number[] } {
    const fs = new MemoryFileSystem();
    const writer = ManifestWriter.create(fs, '/MANIFEST-000001');
    const starts: number[] = [];
    for (const p of payloads) {
      starts.push(writer.size);
      writer.append(p);
    }
    writer.sync();
    writer.close();
    return { bytes: fs.readFile('/MANIFEST-000001'), starts };
  }

  /** Four edits' payloads, an empty one among them. Built inside each test: on the starter, encoding throws. */
  const payloadsOf = (): Uint8Array[] => [
    encodeVersionEdit({ formatVersion: 1, logNumber: 3, nextFileNumber: 5, lastSequence: 0, deletedFiles: [], newFiles: [] }),
    encodeVersionEdit({ logNumber: 6, lastSequence: 120, deletedFiles: [], newFiles: [] }),
    new Uint8Array(0),
    encodeVersionEdit({ logNumber: 9, lastSequence: 400, deletedFiles: [{ level: 0, number: 4 }], newFiles: [] }),
  ];

  test('a record is [crc u32][length u32][payload]: 8 bytes of header, and the records read back in order', () => {
    const payloads = payloadsOf();
    const { bytes, starts } = manifestOf(payloads);
    expect(starts).toEqual([0, 8 + payloads[0]!.length, 16 + payloads[0]!.length + payloads[1]!.length, 24 + payloads[0]!.length + payloads[1]!.length]);
    const scan = scanManifest(bytes, 'M');
    expect(scan.tornAt).toBeUndefined();
    expect(scan.records.map((r) => r.offset)).toEqual(starts);
    expect(scan.records.map((r) => toHex(r.payload))).toEqual(payloads.map(toHex));
  });

  test('a MANIFEST cut at every byte offset yields exactly the whole records before the cut (a torn tail is ignored)', () => {
    const { bytes, starts } = manifestOf(payloadsOf());
    const ends = starts.map((_, i) => starts[i + 1] ?? bytes.length);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const scan = scanManifest(bytes.subarray(0, cut), 'M');
      const whole = ends.filter((end) => end <= cut).length;
      const cleanEnd = whole === 0 ? 0 : ends[whole - 1];
      expect(scan.records.length, `cut at ${cut}: the records that end before the cut, and no more`).toBe(whole);
      expect(scan.tornAt, `cut at ${cut}: a cut inside a record is a torn tail starting at that record`).toBe(
        cut === cleanEnd ? undefined : starts[whole],
      );
    }
  });

  test('damage with an intact record after it is a CorruptionError at the damaged record, not a torn tail', () => {
    const { bytes, starts } = manifestOf(payloadsOf());
    for (const at of [starts[0]! + 9, starts[1]! + 2, starts[2]! + 5]) {
      const damaged = bytes.slice();
      damaged[at]! ^= 0x40;
      let error: unknown;
      try {
        scanManifest(damaged, 'MANIFEST-000001');
      } catch (e) {
        error = e;
      }
      const record = starts.filter((s) => s <= at).pop()!;
      expect(error, `flipped byte ${at}: later edits were synced after this one, so skipping it would lose them`).toBeInstanceOf(CorruptionError);
      expect((error as CorruptionError).offset).toBe(record);
    }
    const lastDamaged = bytes.slice();
    lastDamaged[bytes.length - 1]! ^= 0x40;
    expect(scanManifest(lastDamaged, 'M').tornAt, 'damage in the last record, with nothing after it, is a torn tail').toBe(starts[3]);
  });
});
