/**
 * How a failure reads on the command line: one line, no stack trace, and
 * the facts a user needs to act (the file and offset of a corruption, the
 * path that is missing).
 */

import { CorruptionError, IOError, LsmError } from '#toolkit/errors.ts';

/** Returns the one-line message for `error`. */
export function errorMessage(error: unknown): string {
  if (error instanceof IOError) {
    if (error.errno === 'ENOENT') return `no such file or directory: ${error.path}`;
    if (error.errno === 'EACCES' || error.errno === 'EPERM') return `permission denied: ${error.path}`;
    return error.message;
  }
  // "corruption in <file> at offset <n>: <reason>"
  if (error instanceof CorruptionError) return oneLine(error.message);
  if (error instanceof LsmError) return oneLine(error.message);
  if (error instanceof Error) {
    const errno = (error as NodeJS.ErrnoException).code;
    const path = (error as NodeJS.ErrnoException).path;
    if (errno === 'ENOENT' && path !== undefined) return `no such file or directory: ${path}`;
    return oneLine(error.message);
  }
  return oneLine(String(error));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
