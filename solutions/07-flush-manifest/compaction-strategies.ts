/**
 * The compaction strategies the engine knows, by name: what the
 * `compaction` option of `LsmTree.open` and `db.setCompaction(...)` accept.
 *
 *     { strategy: 'leveled', ...leveled options }   chapter 9 (the default)
 *     { strategy: 'tiered', ...tiered options }     chapter 8
 *     { strategy: 'none' }                          no compaction: tables pile up in level 0
 *
 * A strategy is a picker (compaction-plan.ts): it only decides what to
 * merge. Carrying plans out is the same for both (the compaction job), and
 * so is when it runs (compaction-scheduler.ts).
 */

import { InvalidArgumentError } from '#toolkit/errors.ts';
import type { CompactionPicker } from '#tiered/compaction-plan.ts';
import { TieredPicker, type TieredPickerOptions } from '#tiered/tiered-picker.ts';
import { LeveledPicker, type LeveledPickerOptions } from '#leveled/leveled-picker.ts';

/** The names of the strategies. */
export type CompactionStrategyName = 'leveled' | 'tiered' | 'none';

/** A strategy and its options. */
export type CompactionOptions =
  | { readonly strategy: 'none' }
  | ({ readonly strategy: 'tiered' } & TieredPickerOptions)
  | ({ readonly strategy: 'leveled' } & LeveledPickerOptions);

/** The strategy used when none is given. */
export const DEFAULT_COMPACTION: CompactionOptions = { strategy: 'leveled' };

const STRATEGIES: readonly CompactionStrategyName[] = ['leveled', 'tiered', 'none'];

/**
 * Returns the picker `options` ask for (undefined for 'none'), after
 * checking them.
 * @throws InvalidArgumentError if `options` is not an object naming a known
 *   strategy, or a strategy option is unknown or out of its range.
 */
export function createPicker(options: unknown): CompactionPicker | undefined {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(
      `compaction must be an object like { strategy: 'leveled' }, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`,
    );
  }
  const strategy: unknown = (options as { strategy?: unknown }).strategy;
  switch (strategy) {
    case 'leveled':
      return new LeveledPicker(options as LeveledPickerOptions);
    case 'tiered':
      return new TieredPicker(options as TieredPickerOptions);
    case 'none':
      if (Object.keys(options).some((name) => name !== 'strategy')) {
        throw new InvalidArgumentError(`compaction strategy 'none' takes no options, got ${Object.keys(options).join(', ')}`);
      }
      return undefined;
    default:
      throw new InvalidArgumentError(
        `compaction strategy must be one of ${STRATEGIES.map((s) => `'${s}'`).join(', ')}, got ${typeof strategy === 'string' ? `'${strategy}'` : String(strategy)}`,
      );
  }
}
