/**
 * Chapter 10, placing a table in a checkpoint (task 10.4): a hard link where
 * the file system allows it, a synced copy where it cannot link (ENOTSUP,
 * EXDEV...), and any other failure reported, never papered over.
 */

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { bytesEqual } from '#toolkit/bytes.ts';
import { IOError } from '#toolkit/errors.ts';
import { FaultyFileSystem } from '#toolkit/faulty-file-system.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { NodeFileSystem } from '#toolkit/node-file-system.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { COPY_CHUNK_SIZE, linkOrCopy } from '#snapshots/checkpoint.ts';

/** Writes a synced file of `size` pseudo-random bytes at `path` and returns them. */
function writeFile(fs: FileSystem, path: string, size: number): Uint8Array {
  const random = new SeededRandom(size);
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = random.below(256);
  const file = fs.createWritable(path);
  file.append(bytes);
  file.sync();
  file.close();
  return bytes;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('linkOrCopy', () => {
  test('where links work, the checkpoint shares the file: no bytes are copied', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    fs.mkdir('/ckpt');
    const bytes = writeFile(fs, '/db/000012.sst', 5000);
    const before = fs.totalBytes();
    expect(linkOrCopy(fs, '/db/000012.sst', '/ckpt/000012.sst')).toBe('linked');
    expect(fs.totalBytes(), 'a hard link is a second name for the same bytes, not a copy').toBe(before);
    fs.remove('/db/000012.sst');
    expect(bytesEqual(fs.readFile('/ckpt/000012.sst'), bytes), "the checkpoint's name keeps the bytes after the source deletes its own").toBe(true);
  });

  test('without links (ENOTSUP), the table is copied and the copy is synced', () => {
    const fs = new MemoryFileSystem({ supportsLinks: false });
    fs.mkdir('/db');
    fs.mkdir('/ckpt');
    const bytes = writeFile(fs, '/db/000012.sst', 3000);
    expect(linkOrCopy(fs, '/db/000012.sst', '/ckpt/000012.sst')).toBe('copied');
    expect(bytesEqual(fs.readFile('/ckpt/000012.sst'), bytes)).toBe(true);
    fs.syncDir('/ckpt');
    fs.crash({ data: 'drop', names: 'drop' });
    expect(fs.readFile('/ckpt/000012.sst'), 'a copy must be synced: a power loss keeps only synced bytes').toHaveLength(3000);
  });

  test('a table larger than one copy chunk is copied whole, in order', () => {
    const fs = new MemoryFileSystem({ supportsLinks: false });
    fs.mkdir('/db');
    fs.mkdir('/ckpt');
    const bytes = writeFile(fs, '/db/000001.sst', 2 * COPY_CHUNK_SIZE + 12345);
    linkOrCopy(fs, '/db/000001.sst', '/ckpt/000001.sst');
    expect(bytesEqual(fs.readFile('/ckpt/000001.sst'), bytes), 'every chunk, in order, and the short last one').toBe(true);
  });

  test('a checkpoint on another device (EXDEV) is copied, not refused', () => {
    const fs = new FaultyFileSystem(new MemoryFileSystem());
    fs.mkdir('/db');
    fs.mkdir('/other-disk');
    const bytes = writeFile(fs, '/db/000007.sst', 700);
    fs.inject({ kind: 'link', nth: 1, errno: 'EXDEV', sticky: true });
    expect(linkOrCopy(fs, '/db/000007.sst', '/other-disk/000007.sst'), 'EXDEV means "not across file systems": copy instead').toBe('copied');
    expect(bytesEqual(fs.readFile('/other-disk/000007.sst'), bytes)).toBe(true);
  });

  test('a real failure is not turned into a copy: EIO and a missing source propagate as IOError', () => {
    const fs = new FaultyFileSystem(new MemoryFileSystem());
    fs.mkdir('/db');
    fs.mkdir('/ckpt');
    writeFile(fs, '/db/000003.sst', 100);
    fs.inject({ kind: 'link', nth: 1, errno: 'EIO' });
    const eio = thrown(() => linkOrCopy(fs, '/db/000003.sst', '/ckpt/000003.sst'));
    expect(eio, 'only "links are impossible here" errors may fall back to a copy').toBeInstanceOf(IOError);
    expect((eio as IOError).errno).toBe('EIO');
    expect(fs.exists('/ckpt/000003.sst'), 'no copy was made after a real link failure').toBe(false);
    const missing = thrown(() => linkOrCopy(fs, '/db/000099.sst', '/ckpt/000099.sst'));
    expect(missing).toBeInstanceOf(IOError);
    expect((missing as IOError).errno).toBe('ENOENT');
  });

  test('on a real disk the checkpoint file is a hard link: the same inode as the source', () => {
    const root = mkdtempSync(join(tmpdir(), 'lsm-link-'));
    temporary.push(root);
    const fs = new NodeFileSystem();
    fs.mkdir(`${root}/db`);
    fs.mkdir(`${root}/ckpt`);
    const bytes = writeFile(fs, `${root}/db/000012.sst`, 4096);
    expect(linkOrCopy(fs, `${root}/db/000012.sst`, `${root}/ckpt/000012.sst`)).toBe('linked');
    expect(statSync(`${root}/ckpt/000012.sst`).ino).toBe(statSync(`${root}/db/000012.sst`).ino);
    expect(statSync(`${root}/db/000012.sst`).nlink, 'two names now').toBe(2);
    fs.remove(`${root}/db/000012.sst`);
    expect(bytesEqual(fs.readFile(`${root}/ckpt/000012.sst`), bytes)).toBe(true);
  });
});
