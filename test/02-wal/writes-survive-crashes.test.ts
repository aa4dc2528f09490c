/**
 * Chapter 2, crash safety of the whole log (tasks 2.1-2.8 together): after a
 * simulated power loss at any moment, replay never throws, keeps every
 * record whose durability was promised, and returns a prefix of what was
 * appended: nothing invented, nothing reordered, no batch split.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBytes, utf8 } from '#toolkit/bytes.ts';
import { MemoryFileSystem, SimulatedCrash, type UnsyncedData } from '#toolkit/memory-file-system.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { WriteAheadLog } from '#wal/write-ahead-log.ts';
import { WriteBatch } from '#wal/write-batch.ts';

const DIR = '/db';
const MODES: UnsyncedData[] = ['tear', 'tear-with-garbage', 'drop'];

function show(sequence: number, kind: ValueKind, key: Uint8Array, value: Uint8Array): string {
  return `${formatBytes(key)}#${sequence},${kind === ValueKind.Put ? 'PUT' : 'DEL'}=${formatBytes(value)}`;
}

/** What a workload did before the crash, as the test saw it. */
class History {
  /** Every record whose append was started, as the entries it holds, in order. */
  readonly records: string[][] = [];
  /** How many of those records had been promised durable (a sync returned after them). */
  durableRecords = 0;
  private sequence = 1;

  /** Appends `batch` and keeps the books; `sync` follows the append's own option. */
  append(wal: WriteAheadLog, batch: WriteBatch, sync: boolean): void {
    const first = this.sequence;
    this.records.push(batch.entries.map((e, i) => show(first + i, e.kind, e.key, e.value)));
    this.sequence += batch.count;
    wal.append(batch, first, { sync });
    if (sync) this.durableRecords = this.records.length;
  }

  /** Call after an operation that syncs everything appended so far (rotate, close) has returned. */
  allDurable(): void {
    this.durableRecords = this.records.length;
  }
}

/** Replays `fs` and checks what came back against `history`. Returns the number of records recovered. */
function checkRecovery(fs: MemoryFileSystem, history: History, context: string): number {
  const entries: string[] = [];
  let result;
  try {
    result = WriteAheadLog.replay(fs, DIR, 0, (s, k, key, value) => entries.push(show(s, k, key, value)));
  } catch (error) {
    throw new Error(`${context}: replay after a crash must not throw (a torn tail is not corruption): ${String(error)}`, {
      cause: error,
    });
  }
  // Find how many whole records the entries make up.
  let records = 0;
  let count = 0;
  while (records < history.records.length && count + history.records[records]!.length <= entries.length) {
    count += history.records[records]!.length;
    records++;
  }
  const appended = history.records.flat();
  expect(entries, `${context}: replay must return a prefix of what was appended (nothing invented, nothing reordered)`).toEqual(
    appended.slice(0, entries.length),
  );
  expect(count, `${context}: a record (a batch too) comes back whole or not at all`).toBe(entries.length);
  expect(
    records,
    `${context}: ${history.durableRecords} records were synced before the crash, only ${records} came back`,
  ).toBeGreaterThanOrEqual(history.durableRecords);
  expect(result.lastSequence, `${context}: lastSequence`).toBe(entries.length);
  return records;
}

type Op = { readonly type: 'append'; readonly keys: string[]; readonly deletes: boolean[]; readonly sync: boolean } | { readonly type: 'rotate' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      type: fc.constant('append' as const),
      keys: fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 4 }),
      deletes: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      sync: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'rotate' as const }) },
);

function batchFor(op: Extract<Op, { type: 'append' }>, n: number): WriteBatch {
  const batch = new WriteBatch();
  op.keys.forEach((key, i) => {
    if (op.deletes[i] === true) batch.delete(utf8(key));
    else batch.put(utf8(key), utf8(`v${n}-${i}`.repeat(1 + (n % 5))));
  });
  return batch;
}

describe('crash safety', () => {
  it('after a power loss at the end of a random workload, replay keeps every synced record and invents nothing', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...MODES),
        fc.integer({ min: 1, max: 1_000_000 }),
        (ops, mode, seed) => {
          const fs = new MemoryFileSystem({ seed });
          fs.mkdir(DIR);
          const history = new History();
          const wal = WriteAheadLog.create(fs, DIR, 1);
          let logNumber = 1;
          ops.forEach((op, n) => {
            if (op.type === 'append') {
              history.append(wal, batchFor(op, n), op.sync);
            } else {
              logNumber += 2;
              wal.rotate(logNumber);
              history.allDurable();
            }
          });
          fs.crash({ data: mode, names: 'random' });
          checkRecovery(fs, history, `crash (${mode}) after ${ops.length} operations`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a crash after every single file-system operation of a workload with a rotation never loses a synced record', () => {
    // Writes a, b (synced), a batch c1 c2, rotates, writes d (synced), e, a batch f1 f2 (synced), closes.
    const workload = (fs: MemoryFileSystem, history: History): void => {
      const wal = WriteAheadLog.create(fs, DIR, 4);
      history.append(wal, new WriteBatch().put(utf8('a'), utf8('1')), false);
      history.append(wal, new WriteBatch().put(utf8('b'), utf8('2')), true);
      history.append(wal, new WriteBatch().put(utf8('c1'), utf8('3')).delete(utf8('a')), false);
      wal.rotate(7);
      history.allDurable();
      history.append(wal, new WriteBatch().put(utf8('d'), utf8('4')), true);
      history.append(wal, new WriteBatch().delete(utf8('b')), false);
      history.append(wal, new WriteBatch().put(utf8('f1'), utf8('5')).put(utf8('f2'), utf8('6')), true);
      wal.close();
      history.allDurable();
    };
    let finished = false;
    let crashes = 0;
    for (let k = 0; !finished; k++) {
      expect(k, 'the workload should finish within a few dozen operations').toBeLessThan(100);
      for (const mode of MODES) {
        for (let seed = 1; seed <= 4; seed++) {
          const fs = new MemoryFileSystem({ seed: seed * 1000 + k });
          fs.mkdir(DIR);
          fs.crashAfter(k);
          const history = new History();
          try {
            workload(fs, history);
            finished = true;
          } catch (error) {
            if (!(error instanceof SimulatedCrash)) throw error;
            crashes++;
          }
          fs.crash({ data: mode, names: 'random' });
          const recovered = checkRecovery(fs, history, `crash after ${k} operations (${mode}, seed ${seed})`);
          if (finished) expect(recovered, 'the workload finished and closed the log: everything is durable').toBe(6);
        }
      }
    }
    expect(crashes).toBeGreaterThan(0);
  });
});
