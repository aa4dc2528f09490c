/**
 * FileLifetimes: decides the moment a table's file may be deleted.
 *
 * Every table goes through the same life:
 *
 *     pending ──an edit installs it──> live ──an edit drops it──> zombie ──last reader closes──> deleted
 *        │                                          │
 *        │                                          └─ no reader holds an old version: deleted at once
 *        └─ abandoned (the flush or compaction writing it failed or was cancelled) ──> deleted
 *
 * - **pending**: a flush or a compaction is writing it. No version names it
 *   yet, but it must not be taken for an orphan and deleted under the writer.
 * - **live**: the current version names it.
 * - **zombie**: the current version no longer names it (a compaction merged
 *   it away), but an older version that an open iterator holds still does.
 *   The iterator keeps reading it, so its file must stay. (POSIX lets an
 *   already open file outlive its name, but not every file system does,
 *   Windows for one, and an engine that opens tables lazily, as a scan
 *   reaches them, would find the file gone.)
 * - **deleted**: nobody can reach it any more.
 *
 * So a table is obsolete iff no live version names it (VersionRefs) and it
 * is not pending. The engine asks at exactly the moments a table can become
 * obsolete: a version dies (an edit replaced it and no iterator holds it, or
 * the last iterator holding it closed), or a pending output is abandoned.
 * Because versions change only after their edit is durable, a table is never
 * deleted while a durable MANIFEST could still name it.
 *
 * A crash skips all of this. So at OPEN, chapter 7's `deleteObsoleteFiles`
 * sweeps the directory: a table the recovered version does not name (an
 * output of a flush or compaction that crashed before its edit) is an
 * orphan, since nothing is pending yet. A sweep while the engine runs would
 * have to keep `liveTables()`: the pending outputs too.
 *
 * Invariants:
 * 1. `pending` holds the tables being written that no edit has installed yet.
 * 2. A table is deleted only if it is obsolete (not referenced, not pending).
 */

import { NotImplementedError } from '#toolkit/errors.ts';
/** What FileLifetimes needs to know about versions: VersionRefs provides it. */
export interface TableReferences {
  /** Returns true iff some live version names table `table`. */
  isReferenced(table: number): boolean;
  /** Returns every table some live version names. */
  liveTableNumbers(): Set<number>;
}

/** Decides when tables may be deleted, and deletes them then; see the file comment. */
export class FileLifetimes {
  private readonly pending = new Set<number>();
  private deletedCount = 0;

  /**
   * @param references which tables live versions name (the VersionSet's VersionRefs).
   * @param removeTable deletes table `table`'s file (and forgets its cached reader).
   */
  constructor(
    private readonly references: TableReferences,
    private readonly removeTable: (table: number) => void,
  ) {}

  /** Marks `table` as being written: it is not obsolete until {@link endOutput}. */
  beginOutput(table: number): void {
    this.pending.add(table);
  }

  /**
   * Marks `table` as no longer being written: call it after the edit that
   * installs it is durable and current, or when its writer gives up. An
   * installed table lives on; an abandoned one is deleted now.
   * Returns true iff it was deleted.
   */
  endOutput(table: number): boolean {
    // TODO(task 10.3): stop treating it as pending, then delete it if that made it obsolete
    throw new NotImplementedError("task 10.3 in chapters/10-snapshots/file-lifetimes.ts: stop treating it as pending, then delete it if that made it obsolete");
  }

  /** Returns true iff `table` is obsolete: no live version names it and nothing is writing it. */
  isObsolete(table: number): boolean {
    // TODO(task 10.3): neither referenced by a live version nor pending
    throw new NotImplementedError("task 10.3 in chapters/10-snapshots/file-lifetimes.ts: neither referenced by a live version nor pending");
  }

  /**
   * Deletes each table of `candidates` that is obsolete, and returns their
   * numbers; the others are left alone (a later call deletes them when they
   * become obsolete). Call it with the tables that may just have become
   * obsolete, such as those VersionRefs.unref returned.
   */
  collect(candidates: Iterable<number>): number[] {
    const deleted: number[] = [];
    // TODO(task 10.3): remove every obsolete candidate (each once), counting and returning them
    throw new NotImplementedError("task 10.3 in chapters/10-snapshots/file-lifetimes.ts: remove every obsolete candidate (each once), counting and returning them");
    return deleted;
  }

  /** Returns every table that must be kept: those live versions name, and the pending ones. */
  liveTables(): Set<number> {
    const live = this.references.liveTableNumbers();
    for (const table of this.pending) live.add(table);
    return live;
  }

  /** Returns true iff `table` is being written. */
  isPending(table: number): boolean {
    return this.pending.has(table);
  }

  /** Number of tables being written. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Number of tables deleted through {@link collect} and {@link endOutput} so far. */
  get deleted(): number {
    return this.deletedCount;
  }
}
