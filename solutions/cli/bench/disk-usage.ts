/**
 * What a run cost the disk: bytes this process wrote, from the kernel's
 * accounting, and the space a database directory takes.
 *
 * `/proc/self/io` (Linux) counts, in `write_bytes`, every byte this process
 * caused to be sent to the storage layer, for all its threads: LevelDB's
 * background compaction thread and lmdb's writer thread included, since
 * every engine runs inside this process. Pages are counted when they are
 * first dirtied, so a page rewritten before it reaches the disk counts once.
 * `cancelled_write_bytes` counts dirty pages that a truncate or delete threw
 * away before they were written back (a WAL segment deleted soon after its
 * flush, say); we report both. Where the file does not exist, the engine's
 * own count of bytes written is the fallback.
 */

import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';

/** The counters of /proc/self/io that matter here. */
export interface IoCounters {
  readonly writeBytes: number;
  readonly cancelledWriteBytes: number;
}

/** Returns this process's write counters, or undefined where /proc/self/io does not exist (not Linux). */
export function readIoCounters(): IoCounters | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/io', 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { writeBytes: field('write_bytes'), cancelledWriteBytes: field('cancelled_write_bytes') };
}

/**
 * Returns the bytes of disk space the files under `dir` take, as `du` counts
 * them: allocated blocks, so a sparse file (lmdb's map) counts only what it
 * really uses. Files that vanish while it walks are skipped.
 */
export function diskUsage(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const stat = lstatSync(path);
      if (stat.isDirectory()) total += diskUsage(path);
      else total += stat.blocks * 512;
    } catch {
      // Deleted by the engine between readdir and stat.
    }
  }
  return total;
}
