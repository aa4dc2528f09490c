/**
 * The engine's errors. Every error the engine throws on purpose is an
 * `LsmError` with a stable `code`, so callers can branch on `err.code`
 * instead of parsing messages.
 *
 * | class                  | code              | thrown when                                            |
 * |------------------------|-------------------|--------------------------------------------------------|
 * | InvalidArgumentError   | INVALID_ARGUMENT  | a key, value, option or call is outside what is allowed |
 * | CorruptionError        | CORRUPTION        | bytes on disk fail a checksum or a format check        |
 * | ClosedError            | CLOSED            | an object is used after `close()`                      |
 * | LockedError            | LOCKED            | another opener holds the directory's LOCK file         |
 * | IOError                | IO_ERROR          | the file system failed (EIO, ENOSPC, ENOENT, ...)      |
 * | NotImplementedError    | NOT_IMPLEMENTED   | a starter's TODO body runs (the learner's next task)   |
 *
 * The codes are part of the public API: do not rename them.
 */

/** The stable codes of {@link LsmError}. */
export type LsmErrorCode =
  | 'INVALID_ARGUMENT'
  | 'CORRUPTION'
  | 'CLOSED'
  | 'LOCKED'
  | 'IO_ERROR'
  | 'NOT_IMPLEMENTED';

/** Base class of every error the engine throws on purpose. */
export abstract class LsmError extends Error {
  abstract readonly code: LsmErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Subclasses set their own name so that stack traces say what failed.
    this.name = new.target.name;
  }
}

/** A key, value, option or call is outside what the API allows; the message names the allowed range. */
export class InvalidArgumentError extends LsmError {
  readonly code = 'INVALID_ARGUMENT';
}

/** Where a corruption was found: the file, the byte offset, and what check failed. */
export interface CorruptionDetails {
  /** The file's path, or a description such as "memory buffer". */
  readonly file: string;
  /** Byte offset in the file where the damaged structure starts. */
  readonly offset: number;
  /** What failed, e.g. "checksum mismatch" or "bad magic number". */
  readonly reason: string;
}

/** Bytes failed a checksum or a format check. Corrupt bytes are never returned as data. */
export class CorruptionError extends LsmError {
  readonly code = 'CORRUPTION';
  readonly file: string;
  readonly offset: number;
  readonly reason: string;

  constructor(details: CorruptionDetails, options?: { cause?: unknown }) {
    super(`corruption in ${details.file} at offset ${details.offset}: ${details.reason}`, options);
    this.file = details.file;
    this.offset = details.offset;
    this.reason = details.reason;
  }
}

/** The object (database, file, iterator) was used after it was closed. */
export class ClosedError extends LsmError {
  readonly code = 'CLOSED';
}

/** The directory is locked by another open database, in this process or another. */
export class LockedError extends LsmError {
  readonly code = 'LOCKED';
}

/** The operation the file system was asked for. */
export type IOOperation =
  | 'open'
  | 'create'
  | 'read'
  | 'write'
  | 'sync'
  | 'close'
  | 'rename'
  | 'remove'
  | 'link'
  | 'mkdir'
  | 'list'
  | 'stat'
  | 'syncDir'
  | 'lock';

/** The file system failed. Carries the operation, the path and the errno code (EIO, ENOSPC, ENOENT...). */
export class IOError extends LsmError {
  readonly code = 'IO_ERROR';
  readonly operation: IOOperation;
  readonly path: string;
  /** The POSIX error code, such as `'ENOENT'`, `'EIO'` or `'ENOSPC'`. */
  readonly errno: string;

  constructor(operation: IOOperation, path: string, errno: string, options?: { cause?: unknown }) {
    super(`${errno}: ${operation} failed for '${path}'`, options);
    this.operation = operation;
    this.path = path;
    this.errno = errno;
  }
}

/**
 * A starter's TODO body ran. The message names the function, the chapter's
 * task and the file to open, so a failing test tells the learner where to go.
 */
export class NotImplementedError extends LsmError {
  readonly code = 'NOT_IMPLEMENTED';
}

/**
 * Throws an {@link InvalidArgumentError} with `message` unless `condition` holds.
 * @throws InvalidArgumentError when `condition` is false.
 */
export function requireArgument(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvalidArgumentError(message);
}

/**
 * Checks an internal invariant. A failure is a bug in the engine, not bad
 * input, so it throws a plain `Error` that names the broken invariant.
 */
export function assertInvariant(condition: boolean, invariant: string): asserts condition {
  if (!condition) throw new Error(`invariant broken: ${invariant}`);
}
