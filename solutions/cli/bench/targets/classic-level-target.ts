/**
 * LevelDB through classic-level (N-API), called the two ways a Node user
 * would call it:
 *
 * - per call: `await db.put(k, v)`, `await db.get(k)`, `await db.del(k)`
 *   one at a time; scans `await it.next()` per entry; seeks reuse one
 *   iterator: `it.seek(k); await it.next()`.
 * - batched: `await db.batch(ops)` of 1,000 puts or deletes; `await
 *   db.getMany(keys)` of 1,000 keys; scans `await it.nextv(1000)`. Seeks
 *   and the mixed workloads have no batched form (n/a).
 *
 * Keys and values are passed as Uint8Array views (`keyEncoding: 'view'`,
 * `valueEncoding: 'view'`), so no encoding work is measured. The memtable
 * (write buffer) and block cache get the bench's sizes; LevelDB's other
 * defaults stay (snappy compression, which cannot shrink random values; no
 * bloom filter, since classic-level does not expose LevelDB's filter policy).
 */

import type { ClassicLevel } from 'classic-level';
import type { KeySpace } from '../key-space.ts';
import type { Meter } from '../meter.ts';
import type { Operation } from '../workloads.ts';
import type { BenchTarget, TargetOptions } from './target.ts';

/** Operations per batch, getMany or nextv call. */
export const BATCH_SIZE = 1000;

type Db = ClassicLevel<Uint8Array, Uint8Array>;
type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** classic-level as a benchmark target, per call or batched. */
export class ClassicLevelTarget implements BenchTarget {
  readonly name: string;
  readonly calling: string;
  private db: Db | undefined;

  constructor(
    private readonly options: TargetOptions,
    private readonly batched: boolean,
  ) {
    this.name = batched ? 'classic-level batch' : 'classic-level';
    this.calling = batched
      ? `classic-level batch: await db.batch() of ${BATCH_SIZE} writes, await db.getMany() of ${BATCH_SIZE} keys, await iterator.nextv(${BATCH_SIZE}); latency is per batch`
      : 'classic-level: await db.put/get/del per operation, await iterator.next() per entry, iterator.seek() then await next() per seek';
    this.calling += '; same memtable and cache sizes as ours, no bloom filter (classic-level does not expose one), snappy on';
  }

  unsupported(operation: Operation): string | undefined {
    if (!this.batched) return undefined;
    if (operation.kind === 'seek') return 'no batched seek in classic-level';
    if (operation.kind === 'mixed') return 'reads and writes interleave: nothing to batch';
    return undefined;
  }

  async open(dir: string): Promise<void> {
    const { ClassicLevel } = await import('classic-level');
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      writeBufferSize: this.options.memtableSize,
      cacheSize: this.options.blockCacheSize,
    });
    await db.open();
    this.db = db;
  }

  async close(): Promise<void> {
    await this.db?.close();
    this.db = undefined;
  }

  async run(operation: Operation, keys: KeySpace, meter: Meter, bulk = false): Promise<void> {
    const db = this.database();
    const sync = this.options.sync;
    switch (operation.kind) {
      case 'write': {
        const order = operation.keys;
        if (this.batched || bulk) {
          for (let done = 0; done < order.count && !meter.timeUp(); ) {
            const n = Math.min(BATCH_SIZE, order.count - done);
            const ops: BatchOp[] = new Array<BatchOp>(n);
            let bytes = 0;
            for (let j = 0; j < n; j++) {
              const key = keys.key(order.next());
              if (operation.delete) {
                ops[j] = { type: 'del', key };
                bytes += key.length;
              } else {
                const value = keys.value();
                ops[j] = { type: 'put', key, value };
                bytes += key.length + value.length;
              }
            }
            const t0 = performance.now();
            await db.batch(ops, { sync });
            meter.recordWrite(t0, n, bytes);
            done += n;
          }
          return;
        }
        for (let i = 0; i < order.count && !meter.timeUp(); i++) {
          const key = keys.key(order.next());
          if (operation.delete) {
            const t0 = performance.now();
            await db.del(key, { sync });
            meter.recordWrite(t0, 1, key.length);
          } else {
            const value = keys.value();
            const t0 = performance.now();
            await db.put(key, value, { sync });
            meter.recordWrite(t0, 1, key.length + value.length);
          }
        }
        return;
      }
      case 'get': {
        const order = operation.keys;
        const keyOf = (index: number): Uint8Array => (operation.missing ? keys.missingKey(index) : keys.key(index));
        if (this.batched) {
          for (let done = 0; done < order.count && !meter.timeUp(); ) {
            const n = Math.min(BATCH_SIZE, order.count - done);
            const batch: Uint8Array[] = new Array<Uint8Array>(n);
            for (let j = 0; j < n; j++) batch[j] = keyOf(order.next());
            const t0 = performance.now();
            const values = await db.getMany(batch);
            let bytes = 0;
            for (let j = 0; j < n; j++) {
              const value = values[j];
              bytes += batch[j]!.length + (value?.length ?? 0);
              if (value !== undefined) meter.found++;
            }
            meter.record(t0, n, bytes);
            done += n;
          }
          return;
        }
        for (let i = 0; i < order.count && !meter.timeUp(); i++) {
          const key = keyOf(order.next());
          const t0 = performance.now();
          const value = await db.get(key);
          meter.record(t0, 1, key.length + (value?.length ?? 0));
          if (value !== undefined) meter.found++;
        }
        return;
      }
      case 'scan': {
        const it = db.iterator({ reverse: operation.reverse, limit: operation.limit });
        try {
          if (this.batched) {
            while (!meter.timeUp()) {
              const t0 = performance.now();
              const entries = await it.nextv(BATCH_SIZE);
              if (entries.length === 0) break;
              let bytes = 0;
              for (const [key, value] of entries) bytes += key.length + value.length;
              meter.record(t0, entries.length, bytes);
            }
            return;
          }
          while (!meter.timeUp()) {
            const t0 = performance.now();
            const entry = await it.next();
            if (entry === undefined) break;
            meter.record(t0, 1, entry[0].length + entry[1].length);
          }
        } finally {
          await it.close();
        }
        return;
      }
      case 'seek': {
        const it = db.iterator();
        try {
          const order = operation.keys;
          for (let i = 0; i < order.count && !meter.timeUp(); i++) {
            const target = keys.key(order.next());
            const t0 = performance.now();
            it.seek(target);
            const entry = await it.next();
            let bytes = target.length;
            if (entry !== undefined) {
              bytes += entry[0].length + entry[1].length;
              meter.found++;
            }
            meter.record(t0, 1, bytes);
          }
        } finally {
          await it.close();
        }
        return;
      }
      case 'mixed': {
        const order = operation.keys;
        for (let i = 0; i < order.count && !meter.timeUp(); i++) {
          const key = keys.key(order.next());
          if (operation.coin.chance(operation.readFraction)) {
            const t0 = performance.now();
            const value = await db.get(key);
            meter.record(t0, 1, key.length + (value?.length ?? 0));
            if (value !== undefined) meter.found++;
          } else {
            const value = keys.value();
            const t0 = performance.now();
            await db.put(key, value, { sync });
            meter.recordWrite(t0, 1, key.length + value.length);
          }
        }
        return;
      }
    }
  }

  private database(): Db {
    if (this.db === undefined) throw new Error(`the ${this.name} target is not open`);
    return this.db;
  }
}
