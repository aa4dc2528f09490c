/**
 * What a subcommand of the `lsm` command line is, and the errors it may
 * throw to end the program with a one-line message.
 *
 * Every subcommand is one file in ./commands/ that exports `command`: the
 * entry point (lsm.ts) finds it by its file name, so adding `lsm viz` is
 * adding `commands/viz.ts` and nothing else.
 */

import { isAbsolute, resolve } from 'node:path';

/** Where a command writes: standard output and standard error, as functions so tests can capture them. */
export interface Output {
  /** Writes one line (a newline is added) to standard output. */
  readonly out: (line: string) => void;
  /** Writes one line (a newline is added) to standard error. */
  readonly err: (line: string) => void;
}

/** One subcommand: `lsm <name> [args]`. */
export interface Command {
  /** The name typed after `lsm`; the same as its file name in ./commands/. */
  readonly name: string;
  /** One line for `lsm --help`. */
  readonly summary: string;
  /** The full usage text for `lsm <name> --help`. */
  readonly usage: string;
  /**
   * Runs the command with the arguments after its name, and resolves to the
   * exit code (0 for success).
   * @throws UsageError for bad arguments (exit code 2, with the usage hint).
   * @throws any other error to end with exit code 1 and its one-line message.
   */
  run(args: readonly string[], output: Output): Promise<number>;
}

/** The arguments were wrong: the message says which, and the program exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The exit code for a usage error, as most Unix tools use. */
export const EXIT_USAGE = 2;
/** The exit code for any other failure. */
export const EXIT_FAILURE = 1;

/**
 * Returns `path` as the user meant it. `npm run inspect -- db` runs in the
 * package's root, not where the user typed it; npm passes that directory as
 * INIT_CWD, so a relative path is taken from there. Otherwise `path` is
 * returned unchanged.
 */
export function userPath(path: string): string {
  const from = process.env.INIT_CWD;
  if (from === undefined || isAbsolute(path) || resolve(from) === process.cwd()) return path;
  return resolve(from, path);
}

/** Writes to the process's standard output and error. */
export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
