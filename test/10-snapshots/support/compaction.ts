/**
 * Compaction for chapter 10's engine tests: small tables, leveled by
 * default, and no automatic work (compactionPacing 0), so that compaction
 * runs exactly where a test asks for it.
 */

import type { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';

/** Tiny memtables and blocks, leveled compaction driven only by the test. */
export const COMPACTING: LsmOptions = { memtableSize: 1024, blockSize: 128, compactionPacing: 0, compaction: { strategy: 'leveled' } };

/** Flushes the memtable and compacts the whole tree into the shape the strategy wants. */
export function compactAll(db: LsmTree): void {
  db.compact();
}
