/**
 * A child process for the bad-input matrix: tries to open the database in
 * the directory given as the first argument (on the real disk) and prints
 * one line of JSON saying what happened, then exits 0:
 *
 *     {"opened":false,"name":"LockedError","code":"LOCKED","message":"..."}
 *     {"opened":true}                  (and the database is closed again)
 *
 * The parent holds the database open, so the line must name a LockedError.
 */

import { LsmError } from '#toolkit/errors.ts';
import { LsmTree } from '#engine/lsm-tree.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: try-open.ts <dir>');
try {
  LsmTree.open(dir).close();
  process.stdout.write(`${JSON.stringify({ opened: true })}\n`);
} catch (error) {
  const name = error instanceof Error ? error.name : typeof error;
  const code = error instanceof LsmError ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  process.stdout.write(`${JSON.stringify({ opened: false, name, code, message })}\n`);
}
