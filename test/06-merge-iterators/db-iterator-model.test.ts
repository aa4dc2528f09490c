/**
 * The user's iterator against a model (tasks 6.4–6.7 on top of 6.1–6.3):
 * random writes across layers, a random snapshot, random bounds and a random
 * direction; the output must be the model's visible state at the snapshot,
 * within the bounds, in order (descending when reverse), cut at the limit.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compareBytes, formatBytes, utf8 } from '#toolkit/bytes.ts';
import { MAX_SEQUENCE } from '#memtable/internal-key.ts';
import { MemTable } from '#memtable/memtable.ts';
import { DbIterator } from '#merge/db-iterator.ts';
import { MergingIterator } from '#merge/merging-iterator.ts';
import { RangeBounds, type RangeOptions } from '#merge/range-bounds.ts';
import type { Entry } from './support/array-iterator.ts';
import { build, mergedOrder, PROBES, scenarioArb, visibleState, type Built } from './support/layers.ts';

/** Stops a cursor that never becomes invalid from looping forever. */
const STEP_LIMIT = 200;

const show = (pair: readonly [Uint8Array, Uint8Array]): string => `${formatBytes(pair[0])}=${formatBytes(pair[1])}`;
const showEntry = (e: Entry): string => `${formatBytes(e.key)}=${formatBytes(e.value)}`;

function describeOptions(options: RangeOptions): string {
  const parts = Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: "${formatBytes(v as Uint8Array)}"`);
  return `{ ${parts.join(', ')} }`;
}

const lowerArb = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...PROBES).map((key) => ({ gt: key })),
  fc.constantFrom(...PROBES).map((key) => ({ gte: key })),
);
const upperArb = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...PROBES).map((key) => ({ lt: key })),
  fc.constantFrom(...PROBES).map((key) => ({ lte: key })),
);
const boundsArb: fc.Arbitrary<RangeOptions> = fc.tuple(lowerArb, upperArb).map(([l, u]) => ({ ...l, ...u }));

/** A snapshot for a history ending at `last`: MAX_SEQUENCE, or anything from 0 to just past the last write. */
const snapshotPickArb = fc.oneof(fc.constant(-1), fc.nat({ max: 1000 }));
const snapshotFor = (pick: number, last: number): number => (pick < 0 ? MAX_SEQUENCE : pick % (last + 2));

/** The model's answer: the visible entries within the bounds, ascending. */
function expected(built: Built, snapshot: number, options: RangeOptions): Entry[] {
  return visibleState(mergedOrder(built.layers), snapshot).filter((e) => inModelRange(e.key, options));
}

/** The bounds, checked by hand (not through RangeBounds: the model must not share the code it checks). */
function inModelRange(key: Uint8Array, o: RangeOptions): boolean {
  if (o.gt !== undefined && compareBytes(key, o.gt) <= 0) return false;
  if (o.gte !== undefined && compareBytes(key, o.gte) < 0) return false;
  if (o.lt !== undefined && compareBytes(key, o.lt) >= 0) return false;
  if (o.lte !== undefined && compareBytes(key, o.lte) > 0) return false;
  return true;
}

function open(built: Built, snapshot: number, options: RangeOptions, reverse: boolean, limit?: number): DbIterator {
  return new DbIterator(new MergingIterator(built.open()), {
    sequence: snapshot,
    bounds: new RangeBounds(options),
    reverse,
    ...(limit === undefined ? {} : { limit }),
  });
}

function collect(it: DbIterator): string[] {
  const out: string[] = [];
  for (const pair of it) {
    out.push(show(pair));
    if (out.length > STEP_LIMIT) break;
  }
  return out;
}

describe('DbIterator against a model', () => {
  test('every combination of bounds around every key (on, between, outside, crossed, equal) in both directions', () => {
    // Three layers: a memtable over two older ones, with overwrites and deletes across them.
    const newest = new MemTable();
    newest.put(20, utf8('bb'), utf8('bb20'));
    newest.delete(21, utf8('f'));
    newest.put(22, utf8('h'), utf8('h22'));
    const middle = new MemTable();
    middle.put(10, utf8('b'), utf8('b10'));
    middle.delete(11, utf8('bb'));
    middle.put(12, utf8('f'), utf8('f12'));
    middle.put(13, utf8('d'), utf8('d13'));
    const oldest = new MemTable();
    for (const [i, k] of ['b', 'bb', 'd', 'f', 'h'].entries()) oldest.put(i + 1, utf8(k), utf8(`${k}${i + 1}`));
    oldest.delete(6, utf8('h'));
    const layers = [newest, middle, oldest];
    const built: Built = {
      layers: layers.map((mt) => {
        const out: Entry[] = [];
        const it = mt.iterator();
        for (it.seekToFirst(); it.valid(); it.next()) out.push({ key: it.key(), sequence: it.sequence(), kind: it.kind(), value: it.value() });
        return out;
      }),
      lastSequence: 22,
      open: () => layers.map((mt) => mt.iterator()),
    };

    const lowers: RangeOptions[] = [{}, ...PROBES.flatMap((k) => [{ gt: k }, { gte: k }])];
    const uppers: RangeOptions[] = [{}, ...PROBES.flatMap((k) => [{ lt: k }, { lte: k }])];
    for (const snapshot of [MAX_SEQUENCE, 11]) {
      for (const lower of lowers) {
        for (const upper of uppers) {
          const options = { ...lower, ...upper };
          const want = expected(built, snapshot, options).map(showEntry);
          const where = `snapshot ${snapshot}, bounds ${describeOptions(options)}`;
          expect(collect(open(built, snapshot, options, false)), `${where}, forward`).toEqual(want);
          expect(collect(open(built, snapshot, options, true)), `${where}, reverse`).toEqual([...want].reverse());
        }
      }
    }
    // The data itself, as a reminder of what the cases above cover.
    expect(collect(open(built, MAX_SEQUENCE, {}, false))).toEqual(['b=b10', 'bb=bb20', 'd=d13', 'h=h22']);
  });

  test('for...of yields the visible state at the snapshot within the bounds, ascending or descending, cut at the limit', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        snapshotPickArb,
        boundsArb,
        fc.boolean(),
        fc.option(fc.nat({ max: 6 }), { nil: undefined }),
        (scenario, pick, options, reverse, limit) => {
          const built = build(scenario);
          const snapshot = snapshotFor(pick, built.lastSequence);
          let want = expected(built, snapshot, options).map(showEntry);
          if (reverse) want.reverse();
          if (limit !== undefined) want = want.slice(0, limit);
          expect(
            collect(open(built, snapshot, options, reverse, limit)),
            `snapshot ${snapshot}, bounds ${describeOptions(options)}, ${reverse ? 'reverse' : 'forward'}${limit === undefined ? '' : `, limit ${limit}`}: ` +
              'per key the newest version with sequence <= snapshot, only if it is a PUT, only keys within the bounds',
          ).toEqual(want);
        },
      ),
    );
  });

  test('seek(key) finds the first visible key >= key (reverse: the last <= key) within the bounds; then next and prev follow the model', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        snapshotPickArb,
        boundsArb,
        fc.boolean(),
        fc.constantFrom(...PROBES),
        fc.array(fc.boolean(), { maxLength: 10 }),
        (scenario, pick, options, reverse, target, moves) => {
          const built = build(scenario);
          const snapshot = snapshotFor(pick, built.lastSequence);
          const visible = expected(built, snapshot, options);
          // Positions are indexes into the ascending list; -1 and visible.length mean "not valid".
          const above = visible.findIndex((e) => compareBytes(e.key, target) > 0);
          const atOrAbove = visible.findIndex((e) => compareBytes(e.key, target) >= 0);
          let p = reverse
            ? (above < 0 ? visible.length : above) - 1
            : atOrAbove < 0 ? visible.length : atOrAbove;
          const want = (): string => (p >= 0 && p < visible.length ? showEntry(visible[p]!) : 'invalid');
          const now = (it: DbIterator): string => (it.valid() ? show([it.key(), it.value()]) : 'invalid');

          const it = open(built, snapshot, options, reverse);
          it.seek(target);
          const context = `snapshot ${snapshot}, bounds ${describeOptions(options)}, ${reverse ? 'reverse' : 'forward'}, seek("${formatBytes(target)}")`;
          expect(now(it), `${context}: ${reverse ? 'the last visible key <= target' : 'the first visible key >= target'}`).toBe(want());
          const trail: string[] = [];
          for (const forwardStep of moves) {
            if (!it.valid()) break;
            trail.push(forwardStep ? 'next' : 'prev');
            if (forwardStep) it.next();
            else it.prev();
            p += forwardStep ? 1 : -1;
            expect(now(it), `${context}, then ${trail.join(', ')}: next() is the next larger visible key, prev() the next smaller`).toBe(
              want(),
            );
          }
        },
      ),
    );
  });

});
