/**
 * Chapter 9, the leveled picker on hand-built versions (tasks 9.1 to 9.5):
 * the worked examples of cases/leveled-picker.txt, each one a level layout,
 * commands, and the expected answers. Read that file like the lesson's
 * examples; every case names what it shows and gives a hint on failure.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { LevelTargets } from '#leveled/level-targets.ts';
import { LeveledPicker, type LeveledPickerOptions } from '#leveled/leveled-picker.ts';
import { contextFor, formatPlan, formatSize, parseLayout, parseSize } from './support/layout.ts';

interface Case {
  readonly title: string;
  readonly options: Record<string, number>;
  readonly layout: string;
  readonly commands: string[];
  readonly expected: string[];
  readonly hints: string[];
}

/** Reads the case file: blocks that start with `== title` (see the file's header). */
function readCases(path: URL): Case[] {
  const cases: Case[] = [];
  let current: { title: string; options: Record<string, number>; layout: string[]; commands: string[]; expected: string[]; hints: string[]; after: boolean } | undefined;
  const finish = (): void => {
    if (current !== undefined) cases.push({ ...current, layout: current.layout.join('\n') });
  };
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line.length === 0) continue;
    if (line.startsWith('== ')) {
      finish();
      current = { title: line.slice(3), options: {}, layout: [], commands: [], expected: [], hints: [], after: false };
    } else if (current === undefined) {
      throw new Error(`case file: '${line}' before the first "== title" line`);
    } else if (line === '----') {
      current.after = true;
    } else if (current.after) {
      if (line.startsWith('hint: ')) current.hints.push(line.slice(6));
      else current.expected.push(line);
    } else if (line.startsWith('options:')) {
      for (const pair of line.slice(8).trim().split(/\s+/)) {
        const [name, value] = pair.split('=') as [string, string];
        current.options[name] = parseSize(value);
      }
    } else if (line.startsWith('> ')) {
      current.commands.push(line.slice(2));
    } else {
      current.layout.push(line);
    }
  }
  finish();
  return cases;
}

function formatTargets({ baseLevel, targets }: LevelTargets): string {
  const levels: string[] = [];
  for (let level = baseLevel; level < targets.length; level++) levels.push(`L${level} ${formatSize(targets[level]!)}`);
  return `base L${baseLevel}: ${levels.join(', ')}`;
}

/** Runs one case's commands on a fresh picker and returns one line per command. */
function run(c: Case): string[] {
  const { memtableSize, snapshot, ...pickerOptions } = c.options;
  const picker = new LeveledPicker(pickerOptions as LeveledPickerOptions);
  const { version, busy } = parseLayout(c.layout);
  const context = contextFor(busy, memtableSize ?? 1e6, snapshot);
  return c.commands.map((command) => {
    const [name, arg] = command.split(/\s+/);
    switch (name) {
      case 'targets':
        return formatTargets(picker.targets(version, context));
      case 'scores':
        return picker
          .scores(version, context)
          .map(({ level, score }) => `L${level} ${score.toFixed(2)}`)
          .join(', ');
      case 'pick':
        return formatPlan(picker.pick(version, context));
      case 'manual':
        return formatPlan(picker.pickManual(version, arg === undefined ? undefined : Number(arg), context));
      case 'pending':
        return formatSize(picker.pendingBytes(version, context));
      default:
        throw new Error(`case "${c.title}": unknown command '${command}'`);
    }
  });
}

const cases = readCases(new URL('./cases/leveled-picker.txt', import.meta.url));

describe('the leveled picker, worked examples (cases/leveled-picker.txt)', () => {
  test('the case file holds every kind of case', () => {
    // Guards the parser: a case file that reads as nothing would test nothing.
    expect(cases.length).toBeGreaterThan(30);
    const picker = new LeveledPicker();
    const { version } = parseLayout('L0: 2[a..b] 1[a..b]\nL6: 3[a..z]:1G');
    expect(picker.targets(version, contextFor(new Set())).baseLevel, 'with defaults (baseLevelSize 4M), 1G at the bottom puts the base at L4').toBe(4);
  });

  for (const c of cases) {
    test(c.title, () => {
      const layout = c.layout.length > 0 ? `\n${c.layout}\n` : ' (an empty tree)\n';
      const hint = c.hints.length > 0 ? `\nhint: ${c.hints.join(' ')}` : '';
      expect(run(c), `layout:${layout}commands: ${c.commands.join('; ')}${hint}`).toEqual(c.expected);
    });
  }
});
