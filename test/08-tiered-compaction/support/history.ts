/**
 * What a workload did before a crash, as its caller saw it: every write
 * begun, and how many were acknowledged as durable. After a crash the
 * database must hold exactly the state after some prefix of the writes, no
 * shorter than the durable ones (as chapter 7's crash tests check).
 */

/** One user-visible write: a put (value) or a delete (null) of each key. */
export type Write = readonly { readonly key: string; readonly value: string | null }[];

export class History {
  /** Every write begun, in order (the one a crash interrupted included). */
  readonly writes: Write[] = [];
  /** How many of them were acknowledged as durable. */
  durable = 0;

  constructor(private readonly base: ReadonlyMap<string, string> = new Map()) {}

  begin(write: Write): void {
    this.writes.push(write);
  }

  /** Everything begun so far is durable: a sync write, a flush, a compact() or a close returned. */
  allDurable(): void {
    this.durable = this.writes.length;
  }

  /** The contents after the first `p` writes, in key order. */
  stateAfter(p: number): [string, string][] {
    const state = new Map(this.base);
    for (const write of this.writes.slice(0, p)) {
      for (const { key, value } of write) {
        if (value === null) state.delete(key);
        else state.set(key, value);
      }
    }
    return [...state].sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** Returns the p whose state the recovered contents equal, or a description of why none does. */
  match(recovered: [string, string][]): number | string {
    const got = JSON.stringify(recovered);
    for (let p = this.writes.length; p >= this.durable; p--) {
      if (JSON.stringify(this.stateAfter(p)) === got) return p;
    }
    return `the recovered contents ${got} are not the state after any prefix of ${this.durable}..${this.writes.length} writes; after the ${this.durable} durable ones it was ${JSON.stringify(this.stateAfter(this.durable))}`;
  }
}
