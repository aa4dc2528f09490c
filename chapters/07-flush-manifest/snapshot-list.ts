/**
 * Snapshots: a sequence number a reader pins, to see the database as it
 * was when the snapshot was taken. The engine keeps the live ones in a
 * `SnapshotList`, so that compaction knows the oldest sequence a reader may
 * still ask for.
 *
 * Chapter 7 uses the list as given plumbing; chapter 10 builds it (task
 * 10.1, `chapters/10-snapshots/snapshot-list.ts`), with consistent
 * iterators, reference-counted versions and checkpoints. This file only
 * re-exports it, so that chapter 7's code and tests can keep importing it
 * from here.
 */

export { SnapshotList, type Snapshot } from '#snapshots/snapshot-list.ts';
