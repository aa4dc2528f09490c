/**
 * A child process for the LOCK test: opens the database in the directory
 * given as the first argument (on the real disk), prints "open", and holds
 * it until its stdin closes; then closes the database and exits 0.
 */

import { LsmTree } from '#engine/lsm-tree.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: hold-lock.ts <dir>');
const db = LsmTree.open(dir);
process.stdout.write('open\n');
process.stdin.resume();
process.stdin.on('end', () => {
  db.close();
  process.exit(0);
});
