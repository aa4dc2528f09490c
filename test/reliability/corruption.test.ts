/**
 * Reliability campaign, damaged files: whatever happens to the bytes of a
 * database file, the engine refuses with a typed error that names the file,
 * or recovers as documented. It never returns wrong data: a value that
 * differs, a key never written, a deleted key come back, a synced write
 * silently gone.
 *
 * The sample database (support/corruption.ts) has every kind of file worth
 * damaging: tables from flushes and from a compaction, a live WAL segment
 * holding synced records not yet flushed, and a MANIFEST with several edits.
 * For each of those files, every bit in turn is flipped on a fresh copy of
 * the disk; the copy is opened and read whole (a full scan, then a get of
 * every key ever written). The outcomes allowed:
 *
 * - a CorruptionError, at open or at a read, naming the damaged file (or,
 *   for the MANIFEST, naming a file a lost edit had let the engine delete);
 *   when the open throws, the directory is left exactly as it was;
 * - exactly the database's contents: the damage was in bytes no read needs;
 * - for the WAL only, the contents minus a suffix of the live segment's
 *   records: damage in the last record is indistinguishable from a torn
 *   tail, so recovery drops that record (02-wal/wal-reader.ts). The reads
 *   must then match exactly the records recovery says it replayed.
 *
 * Then files that are cut short, missing, or named wrongly by CURRENT: each
 * is a CorruptionError whose message names the file, and an open that fails
 * that way deletes nothing. Two of those checks are recovery.ts's, added
 * for this campaign (a MANIFEST that lost its last edit; a directory that
 * lost its CURRENT), so the last tests show they do not refuse what a crash
 * legitimately leaves: a database or a checkpoint cut short in its first open.
 *
 * At CI size every bit of one sample database's files is flipped (about
 * 14,000 opens, a few seconds); the long run does the same to several sample
 * databases, built from successive seeds.
 */

import { beforeAll, describe, expect, test } from 'vitest';
import { utf8 } from '#toolkit/bytes.ts';
import { CorruptionError } from '#toolkit/errors.ts';
import { SimulatedCrash, type UnsyncedData, type UnsyncedNames } from '#toolkit/memory-file-system.ts';
import { baseName, joinPath } from '#toolkit/path.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import { contents } from '../07-flush-manifest/support/engine.ts';
import { CAMPAIGN_SEED, reportFigure, sized } from './support/campaign.ts';
import {
  buildSampleDatabase,
  diskFrom,
  DIR,
  imageDifference,
  imageOf,
  openAndRead,
  withBitFlipped,
  withFile,
  type DiskImage,
  type SampleDatabase,
} from './support/corruption.ts';

/** Sample databases damaged bit by bit: built from CAMPAIGN_SEED, CAMPAIGN_SEED + 1, ... */
const DATABASES = sized(1, 24);

/** Each bit-flip test takes a few seconds at CI size; the long run several times that. */
const TIMEOUT_MS = sized(60_000, 30 * 60_000);

const PART = 'damaged files';

/** What a crash does to unsynced bytes and names: cycled through, so each combination is tried. */
const DATA_MODES: UnsyncedData[] = ['tear', 'drop', 'tear-with-garbage', 'keep'];
const NAME_MODES: UnsyncedNames[] = ['random', 'drop', 'keep'];

/** Where the checkpoint test writes its checkpoint, on the same disk as DIR. */
const CHECKPOINT = '/checkpoint';

let samples: SampleDatabase[];
beforeAll(() => {
  samples = Array.from({ length: DATABASES }, (_, i) => buildSampleDatabase(CAMPAIGN_SEED + i));
});

/** The outcomes of flipping every bit of one kind of file, counted. */
interface Tally {
  bits: number;
  /** A CorruptionError naming the damaged file. */
  caught: number;
  /** A CorruptionError naming a file the damaged MANIFEST's lost edit had let the engine delete (MANIFEST only). */
  caughtAsMissingFile: number;
  /** Opened and read back everything, minus the last records of the live WAL segment (WAL only). */
  droppedAsTornTail: number;
  /** Opened and read back everything. */
  harmless: number;
  /** Everything else, described: wrong data, another error, the wrong file named, files changed by a failed open. */
  wrong: string[];
}

/** Which sample file a test damages. */
type FileOf = (sample: SampleDatabase) => string;

/**
 * Flips every bit of the file `fileOf` names, in every sample database, one
 * bit per fresh copy of the disk, and tallies what came of each.
 * @param allowTornTail whether dropping the last records of the live WAL segment is allowed.
 * @param allowMissingFile whether a CorruptionError may name a file that is missing from the disk rather than the damaged one.
 */
function flipEveryBit(fileOf: FileOf, allowTornTail: boolean, allowMissingFile: boolean): Tally {
  const tally: Tally = { bits: 0, caught: 0, caughtAsMissingFile: 0, droppedAsTornTail: 0, harmless: 0, wrong: [] };
  for (const sample of samples) {
    const everything = sample.walRecords.length;
    const name = fileOf(sample);
    const bytes = sample.image.get(name)!;
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      tally.bits++;
      const where = `flipping bit ${bit & 7} of byte ${bit >> 3} of ${name} (${bytes.length} bytes; seed ${sample.seed})`;
      const damaged = withFile(sample.image, name, withBitFlipped(bytes, bit));
      const outcome = openAndRead(sample, damaged);
      if (outcome.kind === 'wrong') {
        tally.wrong.push(`${where}: ${outcome.problem}`);
      } else if (outcome.kind === 'corruption') {
        const named = baseName(outcome.error.file);
        if (named === name) tally.caught++;
        else if (allowMissingFile && outcome.atOpen && !damaged.has(named)) tally.caughtAsMissingFile++;
        else tally.wrong.push(`${where}: the CorruptionError names ${outcome.error.file}, not the damaged file: ${outcome.error.message}`);
      } else if (outcome.recordsKept === everything) {
        tally.harmless++;
      } else if (allowTornTail) {
        tally.droppedAsTornTail++;
      } else {
        tally.wrong.push(`${where}: the database opened without the last ${everything - outcome.recordsKept} records of its WAL segment`);
      }
    }
  }
  return tally;
}

/** Fails with the first few problems, in words, if there are any. */
function expectNoWrongOutcome(tally: Tally): void {
  const shown = tally.wrong.slice(0, 5).join('\n');
  expect(tally.wrong.length, `${tally.wrong.length} of ${tally.bits} flips went wrong, among them:\n${shown}`).toBe(0);
}

describe('a flipped bit is caught or harmless, never wrong data', () => {
  test(
    'every bit of the live WAL segment: a CorruptionError naming it, or the last record dropped as a torn tail',
    () => {
      const tally = flipEveryBit((s) => s.walSegment, true, false);
      expectNoWrongOutcome(tally);
      // A record is checksummed whole: damage before the last record has an intact record after it, so it is corruption.
      expect(tally.caught, 'damage before the last record is a CorruptionError').toBeGreaterThan(0);
      expect(tally.droppedAsTornTail, 'damage in the last record is dropped as a torn tail').toBeGreaterThan(0);
      reportFigure({
        part: PART,
        what:
          `bits flipped in the live WAL segment, every bit (${tally.caught} CorruptionError, ` +
          `${tally.droppedAsTornTail} dropped as torn tail, ${tally.harmless} harmless)`,
        count: tally.bits,
        lost: tally.wrong.length,
      });
    },
    TIMEOUT_MS,
  );

  const tables: [which: string, fileOf: FileOf][] = [
    ['the newest table (level 0, deletes over older data)', (s) => s.newestTable],
    ['the compacted table', (s) => s.compactedTable],
  ];
  for (const [which, fileOf] of tables) {
    test(
      `every bit of ${which}: a CorruptionError naming it, or nothing changes`,
      () => {
        const tally = flipEveryBit(fileOf, false, false);
        expectNoWrongOutcome(tally);
        reportFigure({
          part: PART,
          what: `bits flipped in ${which}, every bit (${tally.caught} CorruptionError, ${tally.harmless} harmless)`,
          count: tally.bits,
          lost: tally.wrong.length,
        });
      },
      TIMEOUT_MS,
    );
  }

  test(
    'every bit of the MANIFEST: a CorruptionError, also when the damage costs it its last edit (a flush)',
    () => {
      const tally = flipEveryBit((s) => s.manifest, false, true);
      expectNoWrongOutcome(tally);
      // The last edit is the last flush: losing it moves the log number back to a segment that flush let the engine
      // delete. Replaying from there would lose the flushed writes, so the open must refuse (recovery.ts, step 2).
      expect(tally.caughtAsMissingFile, 'damage in the last edit is caught as a missing WAL segment').toBeGreaterThan(0);
      reportFigure({
        part: PART,
        what:
          `bits flipped in the MANIFEST, every bit (${tally.caught} CorruptionError in it, ` +
          `${tally.caughtAsMissingFile} CorruptionError for the segment its lost last edit had retired, ${tally.harmless} harmless)`,
        count: tally.bits,
        lost: tally.wrong.length,
      });
    },
    TIMEOUT_MS,
  );
});

/**
 * Opens `image` on a fresh disk and expects the open to fail with a
 * CorruptionError whose `file` is `file` and whose message names `named`,
 * and to leave every file as it was.
 */
function expectOpenToRefuse(image: DiskImage, what: string, file: string, named: string): void {
  const fs = diskFrom(image);
  let thrown: unknown;
  try {
    LsmTree.open(DIR, { fileSystem: fs, ...samples[0]!.options }).close();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof CorruptionError)) {
    const instead = thrown === undefined ? 'it opened' : `threw ${String(thrown)}`;
    throw new Error(`${what}: the open must throw a CorruptionError, but ${instead}`, { cause: thrown });
  }
  expect(thrown.file, `${what}: the error's file`).toBe(joinPath(DIR, file));
  expect(thrown.message, `${what}: the message names ${named}`).toContain(named);
  expect(imageDifference(image, imageOf(fs)), `${what}: the failed open must leave every file as it was`).toBeUndefined();
}

describe('a missing, truncated or misnamed file is a typed error naming it, and a failed open deletes nothing', () => {
  test('a table cut short anywhere is a CorruptionError naming it, at open or at a read, and the table stays on disk as it was', () => {
    const problems: string[] = [];
    let cuts = 0;
    for (const sample of samples) {
      for (const name of [sample.newestTable, sample.compactedTable]) {
        const bytes = sample.image.get(name)!;
        // Nothing, a few bytes, a quarter, half, into the last blocks, into the footer, one byte short.
        const lengths = [0, 1, 8, bytes.length >> 2, bytes.length >> 1, bytes.length - 100, bytes.length - 20, bytes.length - 1];
        for (const length of lengths) {
          cuts++;
          const what = `${name} cut to ${length} of ${bytes.length} bytes (seed ${sample.seed})`;
          const cut = bytes.slice(0, length);
          const damaged = withFile(sample.image, name, cut);
          const fs = diskFrom(damaged);
          const outcome = openAndRead(sample, damaged, fs);
          if (outcome.kind !== 'corruption') {
            problems.push(`${what}: ${outcome.kind === 'wrong' ? outcome.problem : 'the database opened and read back as if whole'}`);
          } else if (outcome.error.file !== joinPath(DIR, name)) {
            problems.push(`${what}: the CorruptionError names ${outcome.error.file}: ${outcome.error.message}`);
          } else if (!fs.exists(joinPath(DIR, name)) || fs.readFile(joinPath(DIR, name)).join() !== cut.join()) {
            // A read failed after the open had recovered the WAL into a new table: the damaged one must still be there.
            problems.push(`${what}: the damaged table was deleted or changed`);
          }
        }
      }
    }
    expect(problems, `tables cut short that went wrong:\n${problems.join('\n')}`).toEqual([]);
    reportFigure({ part: PART, what: 'tables cut short (each a CorruptionError naming the table)', count: cuts, lost: problems.length });
  });

  test('a missing table, WAL segment, MANIFEST or CURRENT, or a garbled CURRENT: a CorruptionError naming the file, nothing deleted', () => {
    let count = 0;
    for (const sample of samples) {
      const image = sample.image;
      const { newestTable, compactedTable, walSegment, manifest } = sample;
      // [what, the damaged image, the error's file, a name its message must hold]
      const cases: [string, DiskImage, string, string][] = [
        ['the newest table deleted', withFile(image, newestTable, undefined), newestTable, newestTable],
        ['the compacted table deleted', withFile(image, compactedTable, undefined), compactedTable, compactedTable],
        // The MANIFEST names it as where the unflushed writes are (recovery.ts, checkLogSegmentExists).
        ['the live WAL segment deleted', withFile(image, walSegment, undefined), walSegment, manifest],
        ['the MANIFEST deleted', withFile(image, manifest, undefined), 'CURRENT', manifest],
        ['CURRENT naming a MANIFEST that is not there', withFile(image, 'CURRENT', utf8('MANIFEST-999999\n')), 'CURRENT', 'MANIFEST-999999'],
        // Without CURRENT the directory would be taken for a new database, and its files deleted (checkNoDatabaseWithoutCurrent).
        ['CURRENT deleted', withFile(image, 'CURRENT', undefined), 'CURRENT', newestTable],
        ['CURRENT empty', withFile(image, 'CURRENT', new Uint8Array(0)), 'CURRENT', 'CURRENT'],
        ['CURRENT holding text that is not a MANIFEST name', withFile(image, 'CURRENT', utf8('hello, world\n')), 'CURRENT', 'CURRENT'],
        ['CURRENT without its newline', withFile(image, 'CURRENT', utf8(manifest)), 'CURRENT', 'CURRENT'],
        ['CURRENT holding binary garbage', withFile(image, 'CURRENT', Uint8Array.from([0xff, 0x00, 0x9c, 0x0a])), 'CURRENT', 'CURRENT'],
      ];
      for (const [what, damaged, file, named] of cases) expectOpenToRefuse(damaged, `${what} (seed ${sample.seed})`, file, named);
      count += cases.length;
    }
    reportFigure({
      part: PART,
      what: 'missing files and garbled CURRENT files (each a CorruptionError naming the file, nothing deleted)',
      count,
      lost: 0,
    });
  });
});

/**
 * The checks that catch a lost file (recovery.ts: checkLogSegmentExists,
 * checkNoDatabaseWithoutCurrent) must not refuse what a crash legitimately
 * leaves: a database cut short while being created (no CURRENT yet), or a
 * checkpoint cut short in its first open (its MANIFEST names a WAL segment
 * it never had, and that open may have created a newer one).
 */
describe('what a crash leaves is not taken for a lost file', () => {
  /**
   * Runs `open` on a fresh disk from `image` (in `dir`), crashing after each
   * of its mutations in turn, then opens again and returns the problems.
   */
  function crashEveryMutationOf(image: DiskImage, dir: string, expected: [string, string][]): { points: number; problems: string[] } {
    const dry = diskFrom(image, dir);
    const start = dry.mutations;
    LsmTree.open(dir, { fileSystem: dry, ...samples[0]!.options }).close();
    const mutations = dry.mutations - start;
    const problems: string[] = [];
    for (let k = 0; k <= mutations; k++) {
      const fs = diskFrom(image, dir);
      fs.crashAfter(k);
      try {
        LsmTree.open(dir, { fileSystem: fs, ...samples[0]!.options }).close();
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
      }
      const data = DATA_MODES[k % DATA_MODES.length]!;
      const names = NAME_MODES[Math.floor(k / DATA_MODES.length) % NAME_MODES.length]!;
      fs.crash({ data, names });
      const context = `crash after mutation ${k} of ${mutations} (unsynced data: ${data}, names: ${names})`;
      try {
        const db = LsmTree.open(dir, { fileSystem: fs, ...samples[0]!.options });
        const read = contents(db);
        db.close();
        const at = read.findIndex(([key, value], i) => key !== expected[i]?.[0] || value !== expected[i]?.[1]);
        if (at >= 0 || read.length !== expected.length) {
          const i = at >= 0 ? at : Math.min(read.length, expected.length);
          problems.push(`${context}: pair ${i} reads back as ${JSON.stringify(read[i])}, expected ${JSON.stringify(expected[i])}`);
        }
      } catch (error) {
        problems.push(`${context}: the next open threw ${String(error)}`);
      }
    }
    return { points: mutations + 1, problems };
  }

  test('a crash at any point of creating a database leaves a directory that opens as a new, empty database', () => {
    const { points, problems } = crashEveryMutationOf(new Map(), DIR, []);
    expect(problems, problems.join('\n')).toEqual([]);
    reportFigure({ part: PART, what: 'crash points while creating a database (each opens, empty)', count: points, lost: problems.length });
  });

  test('a crash at any point of a checkpoint\'s first open leaves a checkpoint that opens with its contents', () => {
    const sample = samples[0]!;
    const fs = diskFrom(sample.image);
    const db = LsmTree.open(DIR, { fileSystem: fs, ...sample.options });
    const expected = contents(db);
    db.checkpoint(CHECKPOINT);
    db.close();
    const { points, problems } = crashEveryMutationOf(imageOf(fs, CHECKPOINT), CHECKPOINT, expected);
    expect(problems, problems.join('\n')).toEqual([]);
    reportFigure({
      part: PART,
      what: "crash points in a checkpoint's first open (each opens with the checkpoint's contents)",
      count: points,
      lost: problems.length,
    });
  });
});
