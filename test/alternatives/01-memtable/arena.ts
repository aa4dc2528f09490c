/**
 * ALTERNATIVE REFERENCE (test fixture): the engine's copy arena, unchanged.
 * It is a speed helper for later chapters, not part of what chapter 1 asks
 * for, and it imports no sibling, so the reference's version is re-exported.
 */
export * from '../../../solutions/01-memtable/arena.ts';
