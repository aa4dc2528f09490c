/**
 * The `lsm` command line:
 *
 *     npm run lsm -- <command> [args]        (or: npx tsx solutions/cli/lsm.ts <command> [args])
 *     npm run bench -- [options]             lsm bench: db_bench's workloads, against LevelDB and LMDB with --compare
 *     npm run inspect -- <path>              lsm inspect: what a database, table, log or MANIFEST holds
 *     npm run viz -- [options]               lsm viz: watch compaction live, and draw its schedule as an HTML timeline
 *
 * Each command is one file in ./commands/ exporting `command` (see
 * command.ts); this file finds it by name, so a new command needs no change
 * here. Exit codes: 0 success, 1 failure (one line on stderr, no stack
 * trace), 2 bad arguments.
 */

import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXIT_FAILURE, EXIT_USAGE, processOutput, UsageError, type Command, type Output } from './command.ts';
import { errorMessage } from './error-message.ts';

const commandsDir = fileURLToPath(new URL('./commands/', import.meta.url));

/** Returns the names of the commands, from the files in ./commands/, sorted. */
export function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => name.slice(0, -'.ts'.length))
    .sort();
}

/** Loads the command `name`; undefined if there is no such command. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  if (!commandNames().includes(name)) return undefined;
  const module = (await import(pathToFileURL(`${commandsDir}${name}.ts`).href)) as { command?: Command };
  if (module.command === undefined) throw new Error(`commands/${name}.ts does not export a 'command'`);
  return module.command;
}

async function usage(): Promise<string> {
  const lines = ['usage: lsm <command> [args]', '', 'commands:'];
  for (const name of commandNames()) {
    const command = await loadCommand(name);
    lines.push(`  ${name.padEnd(10)} ${command?.summary ?? ''}`);
  }
  lines.push('', "run 'lsm <command> --help' for a command's options");
  return lines.join('\n');
}

/**
 * Runs `lsm <args>` and resolves to the exit code. Never throws: every
 * failure becomes one line on `output.err`.
 */
export async function main(args: readonly string[], output: Output = processOutput): Promise<number> {
  const [name, ...rest] = args;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      (name === undefined ? output.err : output.out)(await usage());
      return name === undefined ? EXIT_USAGE : 0;
    }
    const command = await loadCommand(name);
    if (command === undefined) {
      output.err(`lsm: unknown command '${name}' (the commands are: ${commandNames().join(', ')})`);
      return EXIT_USAGE;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      output.out(command.usage);
      return 0;
    }
    try {
      return await command.run(rest, output);
    } catch (error) {
      if (error instanceof UsageError) {
        output.err(`lsm ${name}: ${error.message}`);
        output.err(`run 'lsm ${name} --help' for the options`);
        return EXIT_USAGE;
      }
      output.err(`lsm ${name}: ${errorMessage(error)}`);
      if (process.env.LSM_DEBUG !== undefined && error instanceof Error) output.err(error.stack ?? '');
      return EXIT_FAILURE;
    }
  } catch (error) {
    output.err(`lsm: ${errorMessage(error)}`);
    return EXIT_FAILURE;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `lsm inspect db | head`: the reader went away; that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  process.exitCode = await main(process.argv.slice(2));
}
