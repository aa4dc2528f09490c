/**
 * Chapter 7, the demo (every task): `npx tsx chapters/07-flush-manifest/demo.ts`
 * writes, reopens and reads back on a real disk, and lists its files.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { chapter7File, finished, spawnTsx } from './support/engine.ts';

const root = mkdtempSync(join(tmpdir(), 'lsm-07-demo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the demo writes 3000 keys, reopens, reads every one back, and lists the tables it made', async () => {
  const child = spawnTsx(chapter7File('demo.ts'), [join(root, 'db'), '--count', '3000']);
  child.stdin.end();
  const { code, stdout, stderr } = await finished(child);
  expect(code, `the demo failed:\n${stdout}\n${stderr.slice(-3000)}`).toBe(0);
  expect(stdout).toMatch(/every value checked/);
  expect(stdout, 'the demo lists its table files').toMatch(/\d{6}\.sst/);
  expect(stdout).toMatch(/MANIFEST-\d{6}/);
});
