/**
 * Chapter 7, the LOCK (task 7.5's open): one opener per directory at a time,
 * in this process or any other, until it closes.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { LockedError } from '#toolkit/errors.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { NodeFileSystem } from '#toolkit/node-file-system.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import { finished, openOn, ROOT, spawnTsx, text } from './support/engine.ts';

const root = mkdtempSync(join(tmpdir(), 'lsm-07-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the LOCK', () => {
  test('a second open of an open database is refused with LockedError, and works again after close (MemoryFileSystem)', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs);
    db.put('k', 'v');
    expect(() => openOn(fs), 'two engines writing one directory would corrupt it: the second open must fail').toThrow(LockedError);
    expect(text(db.get('k')), 'the refused open must not disturb the open database').toBe('v');
    db.close();
    const again = openOn(fs);
    expect(text(again.get('k')), 'close() releases the lock').toBe('v');
    again.close();
  });

  test('a second open in the same process on a real disk is refused, and the directory opens again after close', () => {
    const dir = join(root, 'same-process');
    const options = { fileSystem: new NodeFileSystem() };
    const db = LsmTree.open(dir, options);
    db.put('k', 'v');
    expect(() => LsmTree.open(dir, options)).toThrow(LockedError);
    db.close();
    const again = LsmTree.open(dir, options);
    expect(text(again.get('k'))).toBe('v');
    again.close();
  });

  test('a database held open by another process is refused with LockedError until that process closes it', async () => {
    const dir = join(root, 'other-process');
    const child = spawnTsx(join(ROOT, 'test/07-flush-manifest/support/hold-lock.ts'), [dir]);
    const exit = finished(child);
    // Wait for the child to say it holds the database: no sleeping, no polling.
    const opened = await new Promise<boolean>((resolve) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('open')) resolve(true);
      });
      child.on('close', () => resolve(false));
    });
    if (!opened) {
      const { stderr } = await exit;
      expect.fail(`the child process could not open the database:\n${stderr.slice(-2000)}`);
    }
    let error: unknown;
    try {
      LsmTree.open(dir, { fileSystem: new NodeFileSystem() }).close();
    } catch (e) {
      error = e;
    }
    child.stdin.end();
    const { code } = await exit;
    expect(error, 'another process has the database open').toBeInstanceOf(LockedError);
    expect(code, 'the child closes the database and exits cleanly').toBe(0);
    const db = LsmTree.open(dir, { fileSystem: new NodeFileSystem() });
    db.close();
  });
});
