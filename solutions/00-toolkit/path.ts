/**
 * Paths with '/' separators, for both file systems. The in-memory file system
 * runs in the browser too, so the engine does not import `node:path`.
 */

/** Joins path segments with '/', collapsing duplicate separators. */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p.length > 0).join('/');
  return joined.replace(/\/{2,}/g, '/');
}

/** Returns the directory part of `path` ('.' when there is none). */
export function dirName(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const i = trimmed.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return trimmed.slice(0, i);
}

/** Returns the last segment of `path`. */
export function baseName(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Normalises `path`: collapses '//' and removes '.' segments and a trailing '/'. */
export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const segments: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..' && segments.length > 0 && segments[segments.length - 1] !== '..') segments.pop();
    else segments.push(s);
  }
  const body = segments.join('/');
  return absolute ? `/${body}` : body || '.';
}
