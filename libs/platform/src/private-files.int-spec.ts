import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir, preparePrivateSqliteFile, tightenPrivateTree } from './private-files';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('private data files', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'throughline-modes-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates a SQLite database, its write-ahead log and shared memory readable by the owner only', () => {
    const dir = join(root, 'data');
    const file = join(dir, 'events.db');
    preparePrivateSqliteFile(file);
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE t (x TEXT)');
      db.prepare('INSERT INTO t VALUES (?)').run('someone');
      expect({ dir: mode(dir), db: mode(file), wal: mode(`${file}-wal`), shm: mode(`${file}-shm`) }).toEqual({
        dir: '700',
        db: '600',
        wal: '600',
        shm: '600',
      });
    } finally {
      db.close();
    }
  });

  it('closes up a database and directory written earlier with 0644 and 0755, log files included', () => {
    const dir = join(root, 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const file = join(dir, 'audit.db');
    const before = new Database(file);
    before.pragma('journal_mode = WAL');
    before.exec('CREATE TABLE t (x TEXT); INSERT INTO t VALUES (1)');
    for (const path of [file, `${file}-wal`, `${file}-shm`]) chmodSync(path, 0o644);

    preparePrivateSqliteFile(file);
    expect([mode(dir), mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([
      '700',
      '600',
      '600',
      '600',
    ]);
    before.close();
  });

  it('tightens a whole data directory at start, keys included, without following links', () => {
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'not ours to change');
    chmodSync(outside, 0o644);
    const data = join(root, 'data');
    mkdirSync(join(data, 'keys'), { recursive: true });
    chmodSync(data, 0o755);
    chmodSync(join(data, 'keys'), 0o775);
    writeFileSync(join(data, 'read-models.db'), '');
    chmodSync(join(data, 'read-models.db'), 0o664);
    writeFileSync(join(data, 'keys', 'jwt-signing-key.json'), '{}');
    chmodSync(join(data, 'keys', 'jwt-signing-key.json'), 0o644);
    symlinkSync(outside, join(data, 'link'));
    // Not the platform's: a data directory may be shared with other things, left as they are.
    writeFileSync(join(data, 'notes.txt'), '');
    chmodSync(join(data, 'notes.txt'), 0o644);
    mkdirSync(join(data, 'tools'));
    chmodSync(join(data, 'tools'), 0o755);

    tightenPrivateTree(data);
    expect(mode(data)).toBe('700');
    expect(mode(join(data, 'keys'))).toBe('700');
    expect(mode(join(data, 'read-models.db'))).toBe('600');
    expect(mode(join(data, 'keys', 'jwt-signing-key.json'))).toBe('600');
    expect(mode(outside)).toBe('644');
    expect([mode(join(data, 'notes.txt')), mode(join(data, 'tools'))]).toEqual(['644', '755']);
  });

  it('creates missing parents private and leaves a missing tree alone', () => {
    ensurePrivateDir(join(root, 'a', 'b'));
    expect([mode(join(root, 'a')), mode(join(root, 'a', 'b'))]).toEqual(['700', '700']);
    expect(() => tightenPrivateTree(join(root, 'absent'))).not.toThrow();
  });
});
