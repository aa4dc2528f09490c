/**
 * The binary heap (task 6.1): items come out smallest first, and replaceTop
 * re-sifts the top item, also after its key changed in place (the way the
 * merging iterator uses it).
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BinaryHeap } from '#merge/binary-heap.ts';

const byNumber = (a: number, b: number): number => a - b;

function drain<T>(heap: BinaryHeap<T>): T[] {
  const out: T[] = [];
  for (let n = heap.size; n > 0; n--) out.push(heap.pop() as T);
  return out;
}

describe('BinaryHeap', () => {
  test('push 5, 3, 8, 1, 9, 2 then pop six times gives 1, 2, 3, 5, 8, 9', () => {
    const heap = new BinaryHeap(byNumber);
    for (const n of [5, 3, 8, 1, 9, 2]) heap.push(n);
    expect(heap.peek(), 'after the pushes, the smallest item is on top: siftUp moves a small item up past larger parents').toBe(1);
    const out = [heap.pop(), heap.pop(), heap.pop(), heap.pop(), heap.pop(), heap.pop()];
    expect(out, 'each pop moves the last item to the top and sinks it: siftDown swaps with the SMALLER child').toEqual([1, 2, 3, 5, 8, 9]);
    expect(heap.size).toBe(0);
  });

  test('pushing any numbers and popping them all gives them back in sorted order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 60 }), (numbers) => {
        const heap = new BinaryHeap(byNumber);
        for (const n of numbers) heap.push(n);
        expect(heap.size).toBe(numbers.length);
        expect(drain(heap), 'pop() must always return the smallest item left: check siftUp and siftDown').toEqual(
          [...numbers].sort(byNumber),
        );
        expect(heap.pop(), 'an empty heap pops undefined').toBeUndefined();
      }),
    );
  });

  test('a reversed comparator makes a max-heap: largest first', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 60 }), (numbers) => {
        const heap = new BinaryHeap<number>((a, b) => b - a);
        for (const n of numbers) heap.push(n);
        expect(drain(heap)).toEqual([...numbers].sort((a, b) => b - a));
      }),
    );
  });

  test('after any mix of push, pop and replaceTop, peek() is the smallest item and the rest come out sorted', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ op: fc.constant('pop' as const), n: fc.constant(0) }),
      fc.record({ op: fc.constant('replaceTop' as const), n: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const heap = new BinaryHeap(byNumber);
        const model: number[] = []; // kept sorted
        for (const { op, n } of ops) {
          if (op === 'push') {
            heap.push(n);
            model.push(n);
          } else if (op === 'pop') {
            expect(heap.pop()).toBe(model.shift());
          } else if (model.length > 0) {
            heap.replaceTop(n);
            model.shift();
            model.push(n);
          }
          model.sort(byNumber);
          expect(heap.size).toBe(model.length);
          expect(heap.peek(), `after ${op}(${n}): the top must be the smallest item`).toBe(model[0]);
        }
        expect(drain(heap), 'replaceTop must sift the new top down to its place').toEqual(model);
      }),
    );
  });

  test('replaceTop(top) after the top item’s key changed in place moves it to where it now belongs', () => {
    // The merging iterator's heap holds sources and compares their current keys;
    // advancing the top source changes its key, and replaceTop re-sifts it.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }),
        (keys, newKeys) => {
          const items = keys.map((key, id) => ({ id, key }));
          const heap = new BinaryHeap<{ id: number; key: number }>((a, b) => a.key - b.key || a.id - b.id);
          for (const item of items) heap.push(item);
          for (const k of newKeys) {
            const top = heap.peek()!;
            top.key = k;
            heap.replaceTop(top);
            const smallest = items.reduce((m, x) => (x.key - m.key || x.id - m.id) < 0 ? x : m);
            expect(heap.peek(), 'after its key changed, the old top must sink below any smaller item').toBe(smallest);
          }
          const sorted = [...items].sort((a, b) => a.key - b.key || a.id - b.id);
          expect(drain(heap)).toEqual(sorted);
        },
      ),
    );
  });
});
