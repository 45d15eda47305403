import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock, DataDirLockedError } from './data-dir-lock';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('the data directory lock', () => {
  let root: string;
  const taken: DataDirLock[] = [];
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'throughline-lock-'));
  });
  afterEach(() => {
    for (const lock of taken.splice(0)) lock.release();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a second holder at once, naming the directory and the holder', () => {
    const dataDir = join(root, 'data');
    taken.push(DataDirLock.acquire(dataDir, 'serve', new Date('2026-01-02T03:04:05Z')));

    let refused: unknown;
    try {
      taken.push(DataDirLock.acquire(dataDir, 'worker'));
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    const error = refused as DataDirLockedError;
    expect(error.holder).toMatchObject({
      pid: process.pid,
      command: 'serve',
      startedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(error.message).toContain(`DATA_DIR ${dataDir} is in use by serve (pid ${process.pid}`);
    expect(error.message).toContain('worker will not start');
  });

  it('is taken again once released', () => {
    const first = DataDirLock.acquire(root, 'rebuild');
    first.release();
    taken.push(DataDirLock.acquire(root, 'serve'));
    expect(DataDirLock.holder(root)).toMatchObject({ pid: process.pid, command: 'serve' });
  });

  it('keeps its files readable by the owner only', () => {
    taken.push(DataDirLock.acquire(root, 'serve'));
    expect([mode(join(root, DataDirLock.FILE)), mode(join(root, DataDirLock.HOLDER_FILE))]).toEqual([
      '600',
      '600',
    ]);
  });

  it('leaves a PostgreSQL deployment alone', () => {
    expect(
      DataDirLock.forEmbedded({ dataDir: root, databaseUrl: 'postgres://db/throughline' }, 'serve'),
    ).toBe(undefined);
    taken.push(DataDirLock.forEmbedded({ dataDir: root, databaseUrl: undefined }, 'serve')!);
    expect(taken[0]).toBeInstanceOf(DataDirLock);
  });
});
