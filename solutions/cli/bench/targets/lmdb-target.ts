/**
 * LMDB through lmdb-js, called the way its documentation recommends: reads
 * are synchronous (`db.get(k)`, `db.getRange()`), writes asynchronous.
 *
 * Writes: `db.put(k, v)` (or `db.remove(k)`) is called for 1,000 operations
 * without awaiting each, then the last promise is awaited. lmdb-js queues
 * every write made in one event turn and commits them in one transaction on
 * its writer thread, so this is its natural batching; awaiting every put
 * would commit a transaction per put instead, and `putSync` (a synchronous
 * transaction per call) is what its documentation advises against for
 * frequent writes. Write latency is per 1,000 operations, like a batch.
 *
 * In the mixed workloads, gets are synchronous and timed one by one; puts
 * are queued (timed as the call) and the queue is awaited every 1,000
 * operations, which counts in ops/s but in no single call's latency. Reads
 * see the last committed transaction, not queued puts.
 *
 * Durability is matched to the other engines: without --sync the database
 * is opened with `noSync` (committed data is in the OS cache, like our WAL
 * and LevelDB's log without fsync); with --sync it keeps lmdb's default,
 * a flush to disk per commit. Keys and values are raw bytes
 * (`keyEncoding: 'binary'`, `encoding: 'binary'`), so no msgpack is measured.
 */

import type { RootDatabase } from 'lmdb';
import type { KeySpace } from '../key-space.ts';
import type { Meter } from '../meter.ts';
import type { Operation } from '../workloads.ts';
import type { BenchTarget, TargetOptions } from './target.ts';

/** Writes queued before the bench awaits lmdb's commit. */
export const WRITE_CHUNK = 1000;

type Db = RootDatabase<Uint8Array, Uint8Array>;

/** lmdb-js as a benchmark target. */
export class LmdbTarget implements BenchTarget {
  readonly name = 'lmdb';
  readonly calling: string;
  private db: Db | undefined;

  constructor(private readonly options: TargetOptions) {
    this.calling =
      `lmdb: sync db.get() and getRange(); db.put()/remove() queued ${WRITE_CHUNK} at a time, then the last one awaited ` +
      `(one transaction); write latency is per ${WRITE_CHUNK}; ${options.sync ? 'synced commits (lmdb default)' : 'noSync, as no other engine fsyncs without --sync'}`;
  }

  unsupported(): string | undefined {
    return undefined;
  }

  async open(dir: string): Promise<void> {
    const { open } = await import('lmdb');
    this.db = open<Uint8Array, Uint8Array>({
      path: dir,
      keyEncoding: 'binary',
      encoding: 'binary',
      noSync: !this.options.sync,
    });
  }

  async close(): Promise<void> {
    await this.db?.close();
    this.db = undefined;
  }

  async run(operation: Operation, keys: KeySpace, meter: Meter): Promise<void> {
    const db = this.database();
    switch (operation.kind) {
      case 'write': {
        const order = operation.keys;
        for (let done = 0; done < order.count && !meter.timeUp(); ) {
          const n = Math.min(WRITE_CHUNK, order.count - done);
          let bytes = 0;
          let last: Promise<boolean> | undefined;
          const t0 = performance.now();
          for (let j = 0; j < n; j++) {
            const key = keys.key(order.next());
            if (operation.delete) {
              last = db.remove(key);
              bytes += key.length;
            } else {
              const value = keys.value();
              last = db.put(key, value);
              bytes += key.length + value.length;
            }
          }
          await last;
          meter.recordWrite(t0, n, bytes);
          done += n;
        }
        return;
      }
      case 'get': {
        const order = operation.keys;
        for (let i = 0; i < order.count && !meter.timeUp(); i++) {
          const index = order.next();
          const key = operation.missing ? keys.missingKey(index) : keys.key(index);
          const t0 = performance.now();
          const value = db.get(key);
          meter.record(t0, 1, key.length + (value?.length ?? 0));
          if (value !== undefined) meter.found++;
        }
        return;
      }
      case 'scan': {
        const it = db.getRange({ reverse: operation.reverse, limit: operation.limit })[Symbol.iterator]();
        try {
          while (!meter.timeUp()) {
            const t0 = performance.now();
            const step = it.next();
            if (step.done === true) break;
            meter.record(t0, 1, step.value.key.length + step.value.value.length);
          }
        } finally {
          it.return?.();
        }
        return;
      }
      case 'seek': {
        const order = operation.keys;
        for (let i = 0; i < order.count && !meter.timeUp(); i++) {
          const target = keys.key(order.next());
          const t0 = performance.now();
          let bytes = target.length;
          for (const { key, value } of db.getRange({ start: target, limit: 1 })) {
            bytes += key.length + value.length;
            meter.found++;
          }
          meter.record(t0, 1, bytes);
        }
        return;
      }
      case 'mixed': {
        const order = operation.keys;
        let last: Promise<boolean> | undefined;
        for (let i = 0; i < order.count && !meter.timeUp(); i++) {
          const key = keys.key(order.next());
          if (operation.coin.chance(operation.readFraction)) {
            const t0 = performance.now();
            const value = db.get(key);
            meter.record(t0, 1, key.length + (value?.length ?? 0));
            if (value !== undefined) meter.found++;
          } else {
            const value = keys.value();
            const t0 = performance.now();
            last = db.put(key, value);
            meter.recordWrite(t0, 1, key.length + value.length);
          }
          if (last !== undefined && (i + 1) % WRITE_CHUNK === 0) {
            await last;
            last = undefined;
          }
        }
        await last;
        return;
      }
    }
  }

  private database(): Db {
    if (this.db === undefined) throw new Error('the lmdb target is not open');
    return this.db;
  }
}
