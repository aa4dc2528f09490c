/**
 * Snapshots: a sequence number a reader pins, to see the database exactly
 * as it was when the snapshot was taken. Reading "at sequence s" means: of
 * each key, the newest version with a sequence <= s (a tombstone there
 * means "no value"). Nothing is copied: every write made later has a larger
 * sequence and is simply skipped.
 *
 * The engine keeps the live snapshots in a list so that compaction knows the
 * oldest sequence a reader may still ask for. Of the versions of a key at or
 * below that sequence, only the newest must be kept; everything older than
 * it is invisible to every snapshot and can be dropped.
 *
 * The list is doubly linked and circular around a sentinel, like LevelDB's
 * `SnapshotList`:
 *
 *     head <-> #12 <-> #40 <-> #40 <-> #97 <-> head
 *              oldest                  newest
 *
 * Snapshots are taken at the last sequence, which only grows, so appending
 * at the newest end keeps the list sorted: the oldest is `head.next`, found
 * in O(1); taking and releasing a snapshot are O(1) too.
 *
 * Invariants:
 * 1. The nodes between `head.next` and `head.prev` are exactly the snapshots
 *    taken and not released, in the order they were taken; their sequences
 *    are ascending (equal ones allowed).
 * 2. A node is in the list iff its `list` field is this list; a released
 *    node has `list` undefined, and releasing it again does nothing.
 * 3. `count` is the number of nodes in the list.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { InvalidArgumentError } from '#toolkit/errors.ts';

/** A pinned point in the database's history; pass it to `get`, `range` or `iterator`. */
export interface Snapshot {
  /** Reads through this snapshot see exactly the writes with a sequence <= this. */
  readonly sequence: number;
  /** Ends the snapshot, so compaction may drop what only it could see. Releasing twice is allowed. */
  release(): void;
}

/** One snapshot, and its links in the list (the sentinel is a node too). */
class SnapshotNode implements Snapshot {
  prev: SnapshotNode = this;
  next: SnapshotNode = this;
  /** The list the node is in; undefined once released (invariant 2). */
  list: SnapshotList | undefined;

  constructor(readonly sequence: number) {}

  release(): void {
    this.list?.release(this);
  }
}

/** The live snapshots of one database, oldest first; see the file comment for its invariants. */
export class SnapshotList {
  /** The sentinel: `head.next` is the oldest snapshot, `head.prev` the newest; itself when the list is empty. */
  private readonly head = new SnapshotNode(-1);
  private count = 0;

  /**
   * Takes a snapshot at `sequence`, the newest one.
   * @throws InvalidArgumentError if `sequence` is not an integer >= 0, or is
   *   below the newest live snapshot's (the list must stay sorted: invariant 1).
   */
  create(sequence: number): Snapshot {
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw new InvalidArgumentError(`a snapshot's sequence must be an integer >= 0, got ${sequence}`);
    }
    const newest = this.newestSequence();
    if (newest !== undefined && sequence < newest) {
      throw new InvalidArgumentError(`snapshots are taken in sequence order: ${sequence} is below the newest live snapshot's ${newest}`);
    }
    const node = new SnapshotNode(sequence);
    // TODO(task 10.1): link the node in at the newest end (just before the sentinel), mark it as in this list, count it
    throw new NotImplementedError("task 10.1 in chapters/10-snapshots/snapshot-list.ts: link the node in at the newest end (just before the sentinel), mark it as in this list, count it");
    return node;
  }

  /** Releases `snapshot`: O(1). Does nothing if it is already released or was not taken from this list. */
  release(snapshot: Snapshot): void {
    if (!(snapshot instanceof SnapshotNode)) return;
    // TODO(task 10.1): if the node is in this list, unlink it from its neighbours, mark it released, count it out
    throw new NotImplementedError("task 10.1 in chapters/10-snapshots/snapshot-list.ts: if the node is in this list, unlink it from its neighbours, mark it released, count it out");
  }

  /** Returns true iff `snapshot` was taken from this list and is not released. */
  isLive(snapshot: unknown): snapshot is Snapshot {
    return snapshot instanceof SnapshotNode && snapshot.list === this;
  }

  /** Returns the sequence of the oldest live snapshot in O(1), or undefined when there is none. */
  oldestSequence(): number | undefined {
    // TODO(task 10.1): the oldest snapshot is the sentinel's next node (the sentinel itself when the list is empty)
    throw new NotImplementedError("task 10.1 in chapters/10-snapshots/snapshot-list.ts: the oldest snapshot is the sentinel's next node (the sentinel itself when the list is empty)");
  }

  /** Returns the sequence of the newest live snapshot, or undefined when there is none. */
  newestSequence(): number | undefined {
    const newest = this.head.prev;
    return newest === this.head ? undefined : newest.sequence;
  }

  /** Returns the sequences of the live snapshots, oldest first (for metrics and tests). */
  sequences(): number[] {
    const out: number[] = [];
    for (let node = this.head.next; node !== this.head; node = node.next) out.push(node.sequence);
    return out;
  }

  /** Number of live snapshots. */
  get size(): number {
    return this.count;
  }

  /** Releases every snapshot (the database is closing). */
  releaseAll(): void {
    while (this.head.next !== this.head) this.release(this.head.next);
  }
}
