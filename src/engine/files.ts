/**
 * A file the user named that cannot be read or written, as one sentence: which file, what it is
 * for, what was found (a directory, a missing parent, no permission) and what to do. Node's own
 * messages ("EISDIR: illegal operation on a directory, read") name neither the file nor the way out.
 */
import { clip } from './clip.js';
import { UserError } from './errors.js';

const FOUND: Record<string, string> = {
  EISDIR: 'it is a directory',
  ENOENT: 'it does not exist',
  ENOTDIR: 'a part of its path is a file, not a directory',
  EACCES: 'permission is denied',
  EPERM: 'the operation is not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EEXIST: 'something else already exists there',
  ENAMETOOLONG: 'the path is too long',
};

/**
 * The UserError for `err` (a Node file system error) on `file`, used as `role` ("the journal",
 * "the report"), with `expected` (what it must be) and `todo` (what to do).
 */
export function fileError(
  file: string,
  err: unknown,
  role: string,
  expected = 'a file that can be read and written',
  todo = 'give the path of a file (a new one is created)',
): UserError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const found = code ? (FOUND[code] ?? code) : ((err as Error)?.message ?? String(err));
  return new UserError(
    `${role} ${clip(file, 200)} cannot be used: ${found}${code ? ` (${code})` : ''}; expected ${expected}: ${todo}.`,
  );
}

/** Whether `err` is a Node file system error (it has an errno code such as EISDIR). */
export function isFsError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}
