/**
 * `lsm inspect <path> [--entries]`: what a database directory, a table, a
 * WAL segment or a MANIFEST holds (see ../inspect/). Read-only.
 */

import { parseArgs } from 'node:util';
import { NodeFileSystem } from '#toolkit/node-file-system.ts';
import { UsageError, userPath, type Command } from '../command.ts';
import { inspectPath } from '../inspect/inspect.ts';

const USAGE = `usage: lsm inspect <path> [--entries]      (npm run inspect -- <path>)

  <dir>               a database: CURRENT, the MANIFEST's current version (every level's
                      tables with key and sequence ranges), the counters, the WAL segments
  <NNNNNN.sst>        a table: footer, properties, filter, index (one line per data block)
  <NNNNNN.log>        a WAL segment: every record, and how it ends (cleanly, torn tail)
  <MANIFEST-NNNNNN>   a MANIFEST: every version edit

options:
  --entries           with a table: print every entry too

Keys are shown as apple#12,PUT (user key, sequence, kind); bytes that are not
printable ASCII as \\xHH. Exits 1 with a one-line message for a missing path,
a directory that is not a database, or a damaged file (its file and offset).`;

export const command: Command = {
  name: 'inspect',
  summary: 'what a database directory, table (.sst), WAL segment (.log) or MANIFEST holds',
  usage: USAGE,
  async run(args, output) {
    let parsed;
    try {
      parsed = parseArgs({ args: [...args], allowPositionals: true, strict: true, options: { entries: { type: 'boolean' } } });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const paths = parsed.positionals;
    if (paths.length !== 1) throw new UsageError(paths.length === 0 ? 'which path? lsm inspect <path>' : 'one path at a time');
    inspectPath(new NodeFileSystem(), userPath(paths[0]!), { entries: parsed.values.entries ?? false }, output.out);
    return 0;
  },
};
