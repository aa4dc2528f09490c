/**
 * Our engine, called as its API is meant to be: synchronously, one call per
 * operation (no promise, no batching), reads through `get` and one
 * `iterator()` cursor.
 */

import { LsmTree, type LsmOptions } from '../../../index.ts';
import type { KeySpace } from '../key-space.ts';
import type { Meter } from '../meter.ts';
import type { Operation } from '../workloads.ts';
import type { BenchTarget, EngineMetrics, TargetOptions } from './target.ts';

/** The name of our engine's rows in the results; ratios are taken against it. */
export const OURS = 'lsm';

/** Returns true iff this engine can be given a compaction strategy by name (chapters 8 and 9 add it). */
export function engineHasCompaction(): boolean {
  return typeof (LsmTree.prototype as unknown as { setCompaction?: unknown }).setCompaction === 'function';
}

/** Our LsmTree as a benchmark target. */
export class LsmTarget implements BenchTarget {
  readonly name = OURS;
  readonly calling = 'lsm: synchronous put/get/delete, one call per operation; scans and seeks through one iterator() cursor';
  private db: LsmTree | undefined;

  constructor(private readonly options: TargetOptions) {}

  unsupported(): string | undefined {
    return undefined;
  }

  async open(dir: string): Promise<void> {
    const options: Record<string, unknown> = {
      memtableSize: this.options.memtableSize,
      blockCacheSize: this.options.blockCacheSize,
      bitsPerKey: this.options.bitsPerKey,
    };
    const compaction: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(this.options.engineOptions)) {
      if (name.startsWith('compaction.')) compaction[name.slice('compaction.'.length)] = value;
      else options[name] = value;
    }
    if (engineHasCompaction() && (this.options.strategy !== undefined || Object.keys(compaction).length > 0)) {
      // Strategy options without --strategy are for the default one, leveled.
      options.compaction = { strategy: this.options.strategy ?? 'leveled', ...compaction };
    }
    this.db = LsmTree.open(dir, options as LsmOptions);
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  async run(operation: Operation, keys: KeySpace, meter: Meter): Promise<void> {
    const db = this.database();
    const writeOptions = { sync: this.options.sync };
    switch (operation.kind) {
      case 'write': {
        const order = operation.keys;
        for (let i = 0; i < order.count && !meter.timeUp(); i++) {
          const key = keys.key(order.next());
          if (operation.delete) {
            const t0 = performance.now();
            db.delete(key, writeOptions);
            meter.recordWrite(t0, 1, key.length);
          } else {
            const value = keys.value();
            const t0 = performance.now();
            db.put(key, value, writeOptions);
            meter.recordWrite(t0, 1, key.length + value.length);
          }
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
        const it = db.iterator();
        try {
          let t0 = performance.now();
          if (operation.reverse) it.seekToLast();
          else it.seekToFirst();
          for (let n = 0; n < operation.limit && it.valid() && !meter.timeUp(); n++) {
            const key = it.key();
            const value = it.value();
            if (operation.reverse) it.prev();
            else it.next();
            meter.record(t0, 1, key.length + value.length);
            t0 = performance.now();
          }
        } finally {
          it.close();
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
            let bytes = target.length;
            if (it.valid()) {
              bytes += it.key().length + it.value().length;
              meter.found++;
            }
            meter.record(t0, 1, bytes);
          }
        } finally {
          it.close();
        }
        return;
      }
      case 'mixed': {
        const order = operation.keys;
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
            db.put(key, value, writeOptions);
            meter.recordWrite(t0, 1, key.length + value.length);
          }
        }
        return;
      }
    }
  }

  engineMetrics(): EngineMetrics {
    const m = this.database().metrics();
    const cache = m.blockCache;
    const lookups = cache === undefined ? 0 : cache.hits + cache.misses;
    return {
      strategy: m.compaction.strategy,
      writeAmplification: m.writes.writeAmplification,
      writtenBytes: m.writes.walBytes + m.writes.flushBytes + m.writes.compactionBytes,
      filesPerLevel: m.levels.map((level) => level.files),
      tablesProbedPerGet: m.reads.tablesProbedPerGet,
      blockCacheHitRate: cache === undefined || lookups === 0 ? undefined : cache.hits / lookups,
      gets: m.reads.gets,
      tablesProbed: m.reads.tablesProbed,
      blockCacheHits: cache?.hits ?? 0,
      blockCacheMisses: cache?.misses ?? 0,
      userBytes: m.writes.userBytes,
      flushes: m.writes.flushes,
      compactionBytes: m.writes.compactionBytes,
      compactions: m.compaction.compactions,
      pendingCompactionBytes: m.compaction.pendingBytes,
      slowdownWrites: m.compaction.slowdownWrites,
      stalls: m.compaction.stalls,
      stallTimeMs: m.compaction.stallTimeMs,
      spaceAmplification: m.amplification.space,
    };
  }

  private database(): LsmTree {
    if (this.db === undefined) throw new Error('the lsm target is not open');
    return this.db;
  }
}
