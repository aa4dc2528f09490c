/**
 * VersionRefs: reference counts of versions, and through them of tables.
 *
 * A Version (chapter 7) is an immutable list of tables. The current one is
 * referenced by the VersionSet; an open iterator references the version it
 * was built on, for as long as it is open. When a flush or a compaction
 * installs a new version, the old one lives on while anyone still holds it:
 *
 *     current ──> v9: 000012 000015 000016        (the VersionSet's reference)
 *     iterator ─> v7: 000012 000013 000014        (a scan opened before the compaction)
 *
 *     table refs: 000012 → 2   000013 → 1   000014 → 1   000015 → 1   000016 → 1
 *
 * A table's count is the number of LIVE versions that name it. When a count
 * drops to zero no reader can reach the table any more: only then may its
 * file be deleted (file-lifetimes.ts decides; the engine deletes). Counting
 * per table makes "is table n still needed?" O(1), and tells exactly which
 * tables died when a version is released, without listing the directory.
 *
 * Invariants:
 * 1. `versions` maps every live version (count >= 1) to its count; a version
 *    whose count drops to zero is removed from it.
 * 2. For every table n, `tables.get(n)` is the number of live versions whose
 *    files include n, and n is absent when that number is 0.
 * 3. A version's tables are counted once however many references it has:
 *    on its first reference they go up, on its last they go down.
 */

import { InvalidArgumentError } from '#toolkit/errors.ts';
import type { Version } from '#engine/version.ts';

/** Reference counts of versions and of the tables they name; see the file comment for its invariants. */
export class VersionRefs {
  private readonly versions = new Map<Version, number>();
  private readonly tables = new Map<number, number>();

  /** Adds one reference to `version`; on its first, counts it as a holder of each of its tables. */
  ref(version: Version): void {
    // #region task 10.2: bump the version's count; if it was not live, bump the count of every table it names
    const count = this.versions.get(version) ?? 0;
    this.versions.set(version, count + 1);
    if (count > 0) return;
    for (const files of version.levels) {
      for (const file of files) this.tables.set(file.number, (this.tables.get(file.number) ?? 0) + 1);
    }
    // #endregion
  }

  /**
   * Removes one reference from `version`. On its last, the version dies and
   * each of its tables loses a holder. Returns the numbers of the tables no
   * live version names any more (empty unless the version died).
   * @throws InvalidArgumentError if `version` holds no reference.
   */
  unref(version: Version): number[] {
    const count = this.versions.get(version);
    if (count === undefined) throw new InvalidArgumentError('unref of a version that holds no reference');
    const dead: number[] = [];
    // #region task 10.2: drop the version's count; on its last reference forget it and drop each table's count, collecting those that reach 0
    if (count > 1) {
      this.versions.set(version, count - 1);
      return dead;
    }
    this.versions.delete(version);
    for (const files of version.levels) {
      for (const file of files) {
        const left = (this.tables.get(file.number) ?? 1) - 1;
        if (left > 0) {
          this.tables.set(file.number, left);
        } else {
          this.tables.delete(file.number);
          dead.push(file.number);
        }
      }
    }
    // #endregion
    return dead;
  }

  /** Returns the number of references `version` holds (0 if it is not live). */
  refCount(version: Version): number {
    return this.versions.get(version) ?? 0;
  }

  /** Returns true iff some live version names table `table`. */
  isReferenced(table: number): boolean {
    return this.tables.has(table);
  }

  /** Returns the numbers of every table some live version names: the union of their files. */
  liveTableNumbers(): Set<number> {
    return new Set(this.tables.keys());
  }

  /** Number of live versions (the current one and those held by readers). */
  get liveVersions(): number {
    return this.versions.size;
  }
}
