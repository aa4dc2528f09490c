/**
 * Snapshots: a sequence number a reader can pin, to see the database as it
 * was when the snapshot was taken. Reading "at sequence s" means: of each
 * key, the newest version with a sequence <= s.
 *
 * The engine keeps the live snapshots in a list so that compaction
 * (chapters 8 to 10) knows the oldest sequence a reader may still ask for:
 * a version of a key that some snapshot can see must not be dropped.
 *
 * Invariants:
 * 1. `live` holds exactly the snapshots taken and not yet released, in the
 *    order they were taken; since the sequence only grows, that is also
 *    ascending sequence order, so the oldest is the first.
 * 2. A released snapshot is never in `live`, and releasing it again does nothing.
 */

/** A pinned point in the database's history; pass it to `get`, `range` or `iterator`. */
export interface Snapshot {
  /** Reads through this snapshot see exactly the writes with a sequence <= this. */
  readonly sequence: number;
  /** Ends the snapshot. Releasing twice is allowed. */
  release(): void;
}

class ListedSnapshot implements Snapshot {
  released = false;

  constructor(
    readonly sequence: number,
    private readonly list: SnapshotList,
  ) {}

  release(): void {
    this.list.release(this);
  }
}

/** The live snapshots of one database, oldest first; see the file comment. */
export class SnapshotList {
  /** A Map keeps insertion order and removes in O(1): the first key is the oldest snapshot. */
  private readonly live = new Map<ListedSnapshot, true>();

  /**
   * Takes a snapshot at `sequence`.
   * REQUIRES: `sequence` >= the sequence of every live snapshot (invariant 1).
   */
  create(sequence: number): Snapshot {
    const snapshot = new ListedSnapshot(sequence, this);
    this.live.set(snapshot, true);
    return snapshot;
  }

  /** Releases `snapshot`; does nothing if it is already released or not from this list. */
  release(snapshot: Snapshot): void {
    if (!(snapshot instanceof ListedSnapshot) || snapshot.released) return;
    snapshot.released = true;
    this.live.delete(snapshot);
  }

  /** Returns true iff `snapshot` was taken from this list and is not released. */
  isLive(snapshot: unknown): snapshot is Snapshot {
    return snapshot instanceof ListedSnapshot && this.live.has(snapshot);
  }

  /** The sequence of the oldest live snapshot, or undefined when there is none. */
  oldestSequence(): number | undefined {
    for (const snapshot of this.live.keys()) return snapshot.sequence;
    return undefined;
  }

  /** Number of live snapshots. */
  get size(): number {
    return this.live.size;
  }

  /** Releases every snapshot (the database is closing). */
  releaseAll(): void {
    for (const snapshot of this.live.keys()) snapshot.released = true;
    this.live.clear();
  }
}
