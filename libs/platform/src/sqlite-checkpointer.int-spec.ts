import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FALLBACK_AUTOCHECKPOINT_PAGES, SqliteCheckpointer } from './sqlite-checkpointer';

async function until(holds: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SqliteCheckpointer (a real SQLite file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-checkpointer-'));
  const file = join(dir, 'data.db');
  let writer: Database.Database;

  beforeAll(() => {
    writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    writer.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  });

  afterAll(() => {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies what the writer commits into the file while the writer goes on, and stops on close', async () => {
    const insert = writer.prepare('INSERT INTO rows (body) VALUES (?)');
    const commit = writer.transaction((count: number) => {
      for (let i = 0; i < count; i++) insert.run('x'.repeat(2000));
    });
    commit(500);
    const before = statSync(file).size;
    // The writer's threshold is far away: the log holds the rows, the file does not yet.
    expect(before).toBeLessThan(100_000);

    const checkpointer = new SqliteCheckpointer(file);
    await until(() => statSync(file).size > 500 * 2000, 'the rows to reach the file');
    commit(500);
    await until(() => statSync(file).size > 1000 * 2000, 'the later rows to reach the file');
    await checkpointer.close();

    commit(500);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statSync(file).size).toBeLessThan(1500 * 2000);
    expect(writer.prepare('SELECT COUNT(*) FROM rows').pluck().get()).toBe(1500);
  });
});
