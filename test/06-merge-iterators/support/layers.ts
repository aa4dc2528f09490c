/**
 * Random layered data for chapter 6's model tests, and the model itself.
 *
 * A scenario is a history of writes with globally increasing sequence
 * numbers, each landing in one of a few layers (a layer stands for a
 * memtable or a table). The small key alphabet makes the interesting cases
 * common: one key with versions in several layers, deleted in one layer and
 * written again in another, layers that are empty. Each layer becomes a
 * MemTable or an ArrayIterator; optionally one layer is added twice (same
 * internal keys, values marked with "!") to create exact ties.
 *
 * The model is a plain sorted array: every entry of every source, ordered by
 * (internal key, source index). That IS the merged order; the visible state
 * at a snapshot follows from it by taking, per user key, the first entry
 * with a sequence <= the snapshot.
 */

import fc from 'fast-check';
import { compareBytes, concatBytes, EMPTY_BYTES, utf8 } from '#toolkit/bytes.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { compareInternalKeys, ValueKind } from '#memtable/internal-key.ts';
import { MemTable } from '#memtable/memtable.ts';
import { ArrayIterator, type Entry } from './array-iterator.ts';

/** The keys written. */
export const KEYS: readonly Uint8Array[] = ['b', 'bb', 'd', 'f', 'h'].map(utf8);
/**
 * Keys to seek to and to bound by: before every key (the empty key, "a"),
 * on keys, between keys ("ba", "c", "e", "g"), after every key ("z").
 */
export const PROBES: readonly Uint8Array[] = ['', 'a', 'b', 'ba', 'bb', 'c', 'd', 'e', 'f', 'g', 'h', 'z'].map(utf8);

interface Write {
  readonly layer: number;
  readonly keyIndex: number;
  readonly kind: ValueKind;
  readonly value: Uint8Array;
  /** How far this write's sequence is past the previous one (gaps leave room for snapshots between writes). */
  readonly step: number;
}

export interface Scenario {
  readonly layerCount: number;
  readonly writes: readonly Write[];
  /** Per layer: a MemTable (true) or an ArrayIterator (false). */
  readonly asMemTable: readonly boolean[];
  /** Add a copy of layer `from` as an extra source at index `at`. */
  readonly duplicate: { readonly from: number; readonly at: number } | undefined;
}

const writeArb = (layerCount: number): fc.Arbitrary<Write> =>
  fc.record({
    layer: fc.integer({ min: 0, max: layerCount - 1 }),
    keyIndex: fc.integer({ min: 0, max: KEYS.length - 1 }),
    kind: fc.constantFrom(ValueKind.Put, ValueKind.Put, ValueKind.Delete),
    value: fc.constantFrom('v', 'w', 'x', 'y', '').map(utf8),
    step: fc.integer({ min: 1, max: 2 }),
  });

/** Random scenarios: 1 to 4 layers, up to 30 writes, sometimes a duplicated layer. */
export const scenarioArb: fc.Arbitrary<Scenario> = fc.integer({ min: 1, max: 4 }).chain((layerCount) =>
  fc.record({
    layerCount: fc.constant(layerCount),
    writes: fc.array(writeArb(layerCount), { maxLength: 30 }),
    asMemTable: fc.array(fc.boolean(), { minLength: layerCount, maxLength: layerCount }),
    duplicate: fc.option(
      fc.record({
        from: fc.integer({ min: 0, max: layerCount - 1 }),
        at: fc.integer({ min: 0, max: layerCount }),
      }),
      { nil: undefined, freq: 4 },
    ),
  }),
);

/** A scenario made concrete: its entries per source, and how to open the sources. */
export interface Built {
  /** Each source's entries, index 0 first (newest). */
  readonly layers: readonly (readonly Entry[])[];
  /** The largest sequence written (0 if none). */
  readonly lastSequence: number;
  /** Opens a fresh cursor on every source, index 0 first. */
  open(): InternalIterator[];
}

/** Builds the sources of a scenario. */
export function build(scenario: Scenario): Built {
  const layers: Entry[][] = Array.from({ length: scenario.layerCount }, () => []);
  let sequence = 0;
  for (const w of scenario.writes) {
    sequence += w.step;
    const value = w.kind === ValueKind.Put ? w.value : EMPTY_BYTES;
    layers[w.layer]!.push({ key: KEYS[w.keyIndex]!, sequence, kind: w.kind, value });
  }
  const memtables = layers.map((entries, i) => {
    if (!scenario.asMemTable[i]) return undefined;
    const mt = new MemTable();
    for (const e of entries) mt.add(e.sequence, e.kind, e.key, e.value);
    return mt;
  });
  const openers: (() => InternalIterator)[] = layers.map((entries, i) => {
    const mt = memtables[i];
    return mt !== undefined ? () => mt.iterator() : () => new ArrayIterator(entries);
  });
  const all: Entry[][] = [...layers];
  if (scenario.duplicate !== undefined) {
    const { from, at } = scenario.duplicate;
    const copy = layers[from]!.map((e) => ({ ...e, value: e.kind === ValueKind.Put ? concatBytes([e.value, utf8('!')]) : e.value }));
    all.splice(at, 0, copy);
    openers.splice(at, 0, () => new ArrayIterator(copy));
  }
  return { layers: all, lastSequence: sequence, open: () => openers.map((o) => o()) };
}

/** A model entry: an entry and the index of the source it came from. */
export interface Sourced extends Entry {
  readonly source: number;
}

/** Every entry of every source in merged order: internal key, then the lower source index first. */
export function mergedOrder(layers: readonly (readonly Entry[])[]): Sourced[] {
  const all: Sourced[] = layers.flatMap((entries, source) => entries.map((e) => ({ ...e, source })));
  all.sort(
    (a, b) =>
      compareInternalKeys(
        { userKey: a.key, sequence: a.sequence, kind: a.kind },
        { userKey: b.key, sequence: b.sequence, kind: b.kind },
      ) || a.source - b.source,
  );
  return all;
}

/** The model's visible state at `snapshot`: per user key, the first entry with sequence <= snapshot, if a PUT; ascending. */
export function visibleState(merged: readonly Entry[], snapshot: number): Entry[] {
  const out: Entry[] = [];
  let decided: Uint8Array | undefined;
  for (const e of merged) {
    if (e.sequence > snapshot) continue;
    if (decided !== undefined && compareBytes(e.key, decided) === 0) continue;
    decided = e.key;
    if (e.kind === ValueKind.Put) out.push(e);
  }
  return out;
}
