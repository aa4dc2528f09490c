/**
 * A compaction host for chapter 8's job tests, built from chapter 7's
 * parts without the rest of the engine: a VersionSet (with its MANIFEST)
 * on an in-memory disk that logs every operation, a table cache, and
 * tables written from entries in the `apple#12,PUT=red` notation.
 */

import { baseName, joinPath } from '#toolkit/path.ts';
import { FaultyFileSystem, type FaultKind } from '#toolkit/faulty-file-system.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { IOError } from '#toolkit/errors.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { MemTable } from '#memtable/memtable.ts';
import { tableFileName } from '#sstable/table-format.ts';
import { TableReader } from '#sstable/table-reader.ts';
import { TableCache } from '#cache/table-cache.ts';
import { ClosingIterator } from '#engine/closing-iterator.ts';
import type { CompactionHost } from '#engine/compaction-hook.ts';
import type { FileMetadata } from '#engine/file-metadata.ts';
import { FileKind, parseFileName } from '#engine/file-names.ts';
import { writeTables } from '#engine/table-writer.ts';
import type { VersionEdit } from '#engine/version-edit.ts';
import { VersionSet } from '#engine/version-set.ts';
import { parseEntries, formatEntry, type Entry } from '../../06-merge-iterators/support/array-iterator.ts';

/** A FaultyFileSystem that records every operation as "kind name", and can fail the next one of a kind on a matching path. */
export class RecordingFileSystem extends FaultyFileSystem {
  readonly log: string[] = [];
  private failNext: { kind: FaultKind; path: RegExp } | undefined;

  constructor(readonly memory = new MemoryFileSystem()) {
    super(memory);
  }

  /** Makes the next `kind` operation on a path matching `path` fail with EIO. */
  failOnce(kind: FaultKind, path: RegExp): void {
    this.failNext = { kind, path };
  }

  override tick(kind: FaultKind, path: string): void {
    this.log.push(`${kind} ${baseName(path)}`);
    const f = this.failNext;
    if (f !== undefined && f.kind === kind && f.path.test(path)) {
      this.failNext = undefined;
      throw new IOError(kind === 'open' ? 'open' : kind, path, 'EIO', { cause: new Error('injected fault') });
    }
    super.tick(kind, path);
  }
}

export const DIR = '/db';

/** The host, plus what the tests need to set up and inspect. */
export class TestHost implements CompactionHost {
  readonly fs = new RecordingFileSystem();
  readonly dir = DIR;
  readonly tableOptions = { blockSize: 128, restartInterval: 4, bitsPerKey: 10 };
  readonly versions: VersionSet;
  readonly tableCache: TableCache;
  /** Tables handed out by newTableNumber and not yet installed or discarded. */
  readonly pending = new Set<number>();
  /** S, as the drop rules see it. */
  smallestSnapshot = Number.MAX_SAFE_INTEGER;
  /** Table cursors open now. */
  openCursors = 0;

  constructor() {
    this.fs.mkdir(DIR);
    this.versions = VersionSet.createNew(this.fs, DIR, { manifestMaxSize: 1 << 20 });
    this.versions.logAndApply({ newFiles: [], deletedFiles: [], logNumber: 0 });
    this.tableCache = new TableCache(this.fs, DIR, { maxOpenFiles: 100 });
  }

  smallestSnapshotSequence(): number {
    return this.smallestSnapshot;
  }

  tableIterator(file: FileMetadata): InternalIterator {
    const table = this.tableCache.pin(file.number);
    this.openCursors++;
    return new ClosingIterator(table.reader.iterator(), () => {
      this.openCursors--;
      table.release();
    });
  }

  newTableNumber(): number {
    const number = this.versions.newFileNumber();
    this.pending.add(number);
    return number;
  }

  installEdit(edit: VersionEdit): void {
    this.versions.logAndApply(edit);
    for (const { file } of edit.newFiles) this.pending.delete(file.number);
    // Delete the tables no version references (none is pinned here).
    const live = this.versions.liveTableNumbers();
    for (const name of this.fs.list(DIR)) {
      const parsed = parseFileName(name);
      if (parsed?.kind !== FileKind.Table || live.has(parsed.number) || this.pending.has(parsed.number)) continue;
      this.fs.remove(joinPath(DIR, name));
      this.tableCache.evict(parsed.number);
    }
  }

  discardTables(numbers: readonly number[]): void {
    for (const number of numbers) {
      this.pending.delete(number);
      const path = joinPath(DIR, tableFileName(number));
      if (this.fs.exists(path)) this.fs.remove(path);
    }
  }

  /** Writes `entries` (the notation, any order) as one table and adds it to `level`. Returns its metadata. */
  addTable(level: number, entries: string | readonly Entry[]): FileMetadata {
    const memtable = new MemTable();
    const list = typeof entries === 'string' ? parseEntries(entries) : [...entries];
    list.sort((a, b) => a.sequence - b.sequence); // A memtable takes writes in sequence order.
    for (const e of list) memtable.add(e.sequence, e.kind, e.key, e.value);
    const [file] = writeTables(this.fs, DIR, memtable.iterator(), () => this.versions.newFileNumber(), this.tableOptions);
    this.versions.logAndApply({ newFiles: [{ level, file: file! }], deletedFiles: [] });
    return file!;
  }

  /** Every entry of table `number`, in the notation. */
  tableEntries(number: number): string[] {
    const reader = TableReader.open(this.fs, joinPath(DIR, tableFileName(number)));
    const out: string[] = [];
    const it = reader.iterator();
    for (it.seekToFirst(); it.valid(); it.next()) out.push(formatEntry({ key: it.key(), sequence: it.sequence(), kind: it.kind(), value: it.value() }));
    it.close();
    reader.close();
    return out;
  }

  /** The numbers of the table files in the directory, ascending. */
  tableFiles(): number[] {
    return this.fs
      .list(DIR)
      .map((name) => parseFileName(name))
      .filter((f) => f?.kind === FileKind.Table)
      .map((f) => f!.number)
      .sort((a, b) => a - b);
  }
}
