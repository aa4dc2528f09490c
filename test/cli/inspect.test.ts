/**
 * `lsm inspect`: a database directory, a table, a WAL segment and a
 * MANIFEST, made by the engine on the in-memory disk, read back and shown;
 * then the error cases, in-process and once through the real command line
 * (exit code 1, one line, no stack trace).
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { CorruptionError } from '#toolkit/errors.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { TableReader } from '#sstable/table-reader.ts';
import { LsmTree } from '../../solutions/index.ts';
import { NotADatabaseError } from '../../solutions/cli/inspect/inspect-database.ts';
import { InspectError, inspectPath, type InspectOptions } from '../../solutions/cli/inspect/inspect.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = '/db';

/** Runs inspect on `path` and returns its lines. */
function inspect(fs: MemoryFileSystem, path: string, options: InspectOptions = { entries: false }): string[] {
  const lines: string[] = [];
  inspectPath(fs, path, options, (line) => lines.push(line));
  return lines;
}

/** Returns the names in DIR with the given suffix. */
function filesEndingWith(fs: MemoryFileSystem, suffix: string): string[] {
  return fs.list(DIR).filter((name) => name.endsWith(suffix));
}

function key(i: number): string {
  return `key-${String(i).padStart(3, '0')}`;
}

/**
 * A database of 60 keys written in order with tiny memtables and blocks (so
 * several level-0 tables of several blocks each), then 5 deletes and 3
 * puts that stay in the WAL. No compaction: every flushed table stays put.
 */
function smallDatabase(): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  const open = (memtableSize: number): LsmTree =>
    LsmTree.open(DIR, { fileSystem: fs, memtableSize, blockSize: 128, compaction: { strategy: 'none' } });
  let db = open(1024);
  for (let i = 0; i < 60; i++) db.put(key(i), `value-${i}`.padEnd(40, '.'));
  db.delete(key(7)); // A tombstone, in whichever table or segment it lands.
  db.flush();
  db.close();
  db = open(1 << 20); // Big enough that nothing below is flushed: it stays in the WAL.
  for (let i = 0; i < 5; i++) db.delete(key(i * 10));
  for (let i = 0; i < 3; i++) db.put(key(100 + i), 'late');
  db.close();
  return fs;
}

describe('a database directory', () => {
  test('shows CURRENT, every live table with its key range in the apple#12,PUT notation, the counters, and the WAL segments', () => {
    const fs = smallDatabase();
    const lines = inspect(fs, DIR);
    const text = lines.join('\n');
    const manifest = filesEndingWith(fs, '').find((n) => n.startsWith('MANIFEST-'))!;
    expect(text).toContain(`CURRENT names ${manifest}`);
    const tables = filesEndingWith(fs, '.sst');
    expect(tables.length, 'the tiny memtable should have made several tables').toBeGreaterThan(2);
    for (const table of tables) {
      expect(lines.some((l) => l.includes(table)), `table ${table} is listed`).toBe(true);
    }
    // The first table flushed holds the first keys written, from sequence 1.
    expect(text).toContain(`[${key(0)}#1,PUT .. `);
    expect(text).toMatch(/last sequence \d+ · log number \d+ · next file number \d+/);
    expect(text).toMatch(/level 0: \d+ tables/);
    const logs = filesEndingWith(fs, '.log');
    expect(logs.length).toBeGreaterThan(0);
    const live = lines.find((l) => l.includes(logs[logs.length - 1]!))!;
    expect(live, 'the newest segment holds the 5 deletes and 3 puts written after the last flush').toMatch(/8 records, 8 entries/);
  });
});

describe('a table', () => {
  test('shows its footer, properties and filter, and one index line per data block', () => {
    const fs = smallDatabase();
    const table = `${DIR}/${filesEndingWith(fs, '.sst')[0]!}`;
    const reader = TableReader.open(fs, table);
    const { dataBlockCount, entryCount } = reader.properties;
    reader.close();
    const lines = inspect(fs, table);
    const text = lines.join('\n');
    expect(text).toMatch(/filter block {2}offset \d+, size/);
    expect(text).toContain('format version 1 · magic "LSM-TBL1"');
    expect(text).toContain(`${entryCount} entries`);
    expect(text).toMatch(/filter: [\d,]+ bits .*7 probes per key/);
    const index = lines.filter((l) => /^ {2}\d+ +\d+ +[\d,]+ +key-\d{3}#\d+,(PUT|DEL)$/.test(l));
    expect(index.length, 'one index line per data block').toBe(dataBlockCount);
    expect(dataBlockCount).toBeGreaterThan(1);
  });

  test('with --entries, lists every entry, tombstones included', () => {
    const fs = smallDatabase();
    const tables = filesEndingWith(fs, '.sst');
    let entries = 0;
    let tombstones = 0;
    for (const name of tables) {
      const lines = inspect(fs, `${DIR}/${name}`, { entries: true });
      entries += lines.filter((l) => /^ {2}key-\d{3}#\d+,(PUT|DEL)/.test(l)).length;
      tombstones += lines.filter((l) => /^ {2}key-007#\d+,DEL$/.test(l)).length;
    }
    expect(entries, 'the 60 puts and the delete of key-007 are all in the tables').toBe(61);
    expect(tombstones).toBe(1);
  });
});

describe('a WAL segment', () => {
  test('lists every record with its offset, sequence and kind, and ends cleanly', () => {
    const fs = smallDatabase();
    const logs = filesEndingWith(fs, '.log');
    const lines = inspect(fs, `${DIR}/${logs[logs.length - 1]!}`);
    const records = lines.filter((l) => /^ {2}\d+ +\d+ +(PUT|DEL) /.test(l));
    expect(records.map((l) => l.split(/ +/)[3])).toEqual(['DEL', 'DEL', 'DEL', 'DEL', 'DEL', 'PUT', 'PUT', 'PUT']);
    expect(records[0]).toMatch(/^ {2}0 +\d+ +DEL +key-000/);
    expect(lines[lines.length - 1]).toMatch(/^ends: cleanly at offset \d+ after 8 records, 8 entries$/);
  });

  test('reports a torn tail with the offset where the cut-off record starts', () => {
    const fs = smallDatabase();
    const logs = filesEndingWith(fs, '.log');
    const bytes = fs.readFile(`${DIR}/${logs[logs.length - 1]!}`);
    const whole = inspect(fs, `${DIR}/${logs[logs.length - 1]!}`);
    const lastOffset = Number(whole.filter((l) => /^ {2}\d+ /.test(l)).at(-1)!.trim().split(/ +/)[0]);
    const file = fs.createWritable(`${DIR}/torn.log`);
    file.append(bytes.subarray(0, bytes.length - 3));
    file.close();
    const lines = inspect(fs, `${DIR}/torn.log`);
    expect(lines[lines.length - 1]).toContain(`torn tail at offset ${lastOffset}`);
    expect(lines[lines.length - 1]).toContain('after 7 records');
  });
});

describe('a MANIFEST', () => {
  test('lists every edit: the snapshot it starts from, then each flush adding a level-0 table', () => {
    const fs = smallDatabase();
    const manifest = fs.list(DIR).find((n) => n.startsWith('MANIFEST-'))!;
    const lines = inspect(fs, `${DIR}/${manifest}`);
    expect(lines[1]).toMatch(/^edit 1 at offset 0 .*the snapshot/);
    expect(lines[2]).toContain('format version 1');
    const added = lines.filter((l) => l.startsWith('  + L0 ')).map((l) => l.split(/ +/)[3]);
    // The reopen started this MANIFEST from a snapshot holding every table.
    expect(new Set(added)).toEqual(new Set(filesEndingWith(fs, '.sst')));
    expect(lines[lines.length - 1]).toMatch(/^ends: cleanly at offset \d+$/);
  });
});

describe('errors', () => {
  test('a directory without CURRENT is "not a database"; a missing path says so', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/empty');
    expect(() => inspect(fs, '/empty')).toThrow(NotADatabaseError);
    expect(() => inspect(fs, '/empty')).toThrow('no CURRENT file: /empty is not a database');
    expect(() => inspect(fs, '/nope')).toThrow(InspectError);
    expect(() => inspect(fs, '/nope')).toThrow('no such file or directory: /nope');
  });

  test('a damaged data block is a CorruptionError naming the table and the offset of the block', () => {
    const fs = smallDatabase();
    const table = `${DIR}/${filesEndingWith(fs, '.sst')[0]!}`;
    const bytes = fs.readFile(table).slice();
    bytes[10]! ^= 0xff; // Inside data block 0, which starts at offset 0.
    const file = fs.createWritable(`${DIR}/999999.sst`);
    file.append(bytes);
    file.close();
    inspect(fs, `${DIR}/999999.sst`); // The index and footer are intact; no data block is read.
    let caught: unknown;
    try {
      inspect(fs, `${DIR}/999999.sst`, { entries: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CorruptionError);
    expect((caught as CorruptionError).file).toBe(`${DIR}/999999.sst`);
    expect((caught as CorruptionError).offset).toBe(0);
  });
});

describe('the command line', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'lsm-inspect-test-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function lsm(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'solutions/cli/lsm.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test('exits 1 with one line and no stack trace for a non-database directory and for a corrupt table', () => {
    const db = LsmTree.open(join(scratch, 'db'), { memtableSize: 1024, compaction: { strategy: 'none' } });
    for (let i = 0; i < 40; i++) db.put(key(i), 'x'.repeat(50));
    db.flush();
    db.close();
    const ok = lsm('inspect', join(scratch, 'db'));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`${key(0)}#1,PUT`);

    const notDb = lsm('inspect', scratch);
    expect(notDb.status).toBe(1);
    expect(notDb.stderr).toBe(`lsm inspect: no CURRENT file: ${scratch} is not a database (these subdirectories are: db)\n`);

    const name = readdirSync(join(scratch, 'db')).find((n) => n.endsWith('.sst'))!;
    const bytes = readFileSync(join(scratch, 'db', name));
    bytes[bytes.length - 1]! ^= 0xff; // The last byte of the magic.
    writeFileSync(join(scratch, 'bad.sst'), bytes);
    const bad = lsm('inspect', join(scratch, 'bad.sst'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(
      `lsm inspect: corruption in ${join(scratch, 'bad.sst')} at offset ${bytes.length - 8}: not a table (bad magic number)\n`,
    );

    const missing = lsm('inspect', join(scratch, 'nothing-here'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`lsm inspect: no such file or directory: ${join(scratch, 'nothing-here')}\n`);
  });
});
