import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Everything under DATA_DIR is the partnership's data or its keys: readable by the process's own
 * user only. SQLite creates a database's `-wal` and `-shm` files with the database file's mode, so
 * making the database file private first makes them private too.
 */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const SQLITE_COMPANIONS = ['-wal', '-shm', '-journal'];

const statIfPresent = (path: string): Stats | undefined => {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/**
 * Takes group and other access away from a path the process owns (one created before this rule, or
 * by a looser umask); another user's path, or a link, is left as it is.
 */
function tighten(path: string, stats: Stats, mode: number): void {
  if (stats.isSymbolicLink() || (stats.mode & 0o777 & ~mode) === 0) return;
  if (process.getuid && stats.uid !== process.getuid()) return;
  try {
    chmodSync(path, stats.mode & mode);
  } catch (error) {
    // A read-only mount (a verification copy) cannot be changed, nor written to by anyone else.
    if ((error as NodeJS.ErrnoException).code !== 'EROFS') throw error;
  }
}

/** Creates the directory (and any missing parents) private, or makes an existing one private. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const stats = statIfPresent(dir);
  if (stats) tighten(dir, stats, DIR_MODE);
}

/**
 * Readies a SQLite database path: its directory private, the file created private when missing
 * (SQLite would create it 0644), and the file and its companions made private when they exist.
 */
export function preparePrivateSqliteFile(file: string): void {
  ensurePrivateDir(dirname(file));
  if (!statIfPresent(file)) {
    try {
      closeSync(openSync(file, 'wx', FILE_MODE));
    } catch (error) {
      // Another process created it first; it is made private below like any existing file.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  for (const path of [file, ...SQLITE_COMPANIONS.map((suffix) => `${file}${suffix}`)]) {
    const stats = statIfPresent(path);
    if (stats) tighten(path, stats, FILE_MODE);
  }
}

/**
 * What the platform keeps in DATA_DIR: its SQLite files (with their companions), lock files and the
 * keys directory. Nothing else there is the platform's to change: DATA_DIR may be a folder shared
 * with other things (even a checkout), and their modes are not ours to take away.
 */
const OWN_FILE = /^[a-z][a-z0-9-]*\.(db(-wal|-shm|-journal)?|lock)$/;
const OWN_DIRS = new Set(['keys']);

/**
 * Makes the platform's own files under `root` private: `root` and the key directory 0700, the
 * databases, their companions, lock files and keys 0600. Run at start, it closes up a data
 * directory written before this rule or under a looser umask. Nothing is created.
 */
export function tightenPrivateTree(root: string): void {
  const stats = statIfPresent(root);
  if (!stats?.isDirectory()) return;
  tighten(root, stats, DIR_MODE);
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    const entry = statIfPresent(path);
    if (!entry || entry.isSymbolicLink()) continue;
    if (entry.isDirectory() && OWN_DIRS.has(name)) tightenWholeTree(path, entry);
    else if (entry.isFile() && OWN_FILE.test(name)) tighten(path, entry, FILE_MODE);
  }
}

/** Everything under a directory the platform owns whole (the keys). */
function tightenWholeTree(dir: string, stats: Stats): void {
  tighten(dir, stats, DIR_MODE);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const entry = statIfPresent(path);
    if (!entry || entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) tightenWholeTree(path, entry);
    else if (entry.isFile()) tighten(path, entry, FILE_MODE);
  }
}
