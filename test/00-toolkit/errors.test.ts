import { describe, expect, it } from 'vitest';
import {
  assertInvariant,
  ClosedError,
  CorruptionError,
  InvalidArgumentError,
  IOError,
  LockedError,
  LsmError,
  NotImplementedError,
  requireArgument,
} from '#toolkit/errors.ts';

describe('typed errors', () => {
  it.each([
    ['InvalidArgumentError', new InvalidArgumentError('key must not be empty'), 'INVALID_ARGUMENT'],
    ['CorruptionError', new CorruptionError({ file: 'f', offset: 0, reason: 'bad' }), 'CORRUPTION'],
    ['ClosedError', new ClosedError('database is closed'), 'CLOSED'],
    ['LockedError', new LockedError('db/LOCK is held'), 'LOCKED'],
    ['IOError', new IOError('write', 'db/000001.log', 'EIO'), 'IO_ERROR'],
    ['NotImplementedError', new NotImplementedError('task 1.1'), 'NOT_IMPLEMENTED'],
  ])('%s has its stable code and name, and is an LsmError and an Error', (name, error, code) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(LsmError);
    expect(error).toBeInstanceOf(Error);
    expect(String(error).startsWith(`${name}: `), 'stack traces and String() show the class name').toBe(true);
    expect(error.stack).toBeTypeOf('string');
  });

  it('the classes are told apart by instanceof', () => {
    const locked: unknown = new LockedError('held');
    expect(locked).not.toBeInstanceOf(IOError);
    expect(locked).not.toBeInstanceOf(CorruptionError);
  });

  it('CorruptionError names the file, the offset and what failed, in its fields and its message', () => {
    const error = new CorruptionError({ file: 'db/000012.sst', offset: 4096, reason: 'checksum mismatch' });
    expect(error.file).toBe('db/000012.sst');
    expect(error.offset).toBe(4096);
    expect(error.reason).toBe('checksum mismatch');
    expect(error.message).toBe('corruption in db/000012.sst at offset 4096: checksum mismatch');
  });

  it('IOError carries the operation, the path and the errno, and keeps its cause', () => {
    const cause = new Error('disk on fire');
    const error = new IOError('sync', 'db/MANIFEST-000003', 'ENOSPC', { cause });
    expect(error.operation).toBe('sync');
    expect(error.path).toBe('db/MANIFEST-000003');
    expect(error.errno).toBe('ENOSPC');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('ENOSPC');
    expect(error.message).toContain('db/MANIFEST-000003');
  });

  it('requireArgument throws an InvalidArgumentError with the message; assertInvariant a plain Error', () => {
    expect(() => requireArgument(true, 'never')).not.toThrow();
    expect(() => requireArgument(false, 'blockSize must be at least 64')).toThrow(
      new InvalidArgumentError('blockSize must be at least 64'),
    );
    expect(() => assertInvariant(true, 'never')).not.toThrow();
    let caught: unknown;
    try {
      assertInvariant(false, 'keys are sorted');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught, 'a broken invariant is a bug, not a typed error').not.toBeInstanceOf(LsmError);
    expect((caught as Error).message).toBe('invariant broken: keys are sorted');
  });
});
