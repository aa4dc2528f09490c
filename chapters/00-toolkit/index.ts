/** The toolkit (chapter 0): everything the chapters build on, given complete. */
export * from './bytes.ts';
export * from './byte-reader.ts';
export * from './byte-writer.ts';
export * from './crc32c.ts';
export * from './errors.ts';
export * from './faulty-file-system.ts';
export * from './file-system.ts';
export * from './fixed-int.ts';
export * from './memory-file-system.ts';
export * from './node-file-system.ts';
export * from './path.ts';
export * from './random.ts';
export * from './varint.ts';
