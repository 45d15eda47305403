import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

/** Every path under `root`: whether a directory or a file, and its permission bits in octal. */
function modes(root: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (dir: string, shown: string): void => {
    found[shown || '.'] = `dir ${(statSync(dir).mode & 0o777).toString(8)}`;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const name = shown ? `${shown}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path, name);
      else found[name] = `file ${(statSync(path).mode & 0o777).toString(8)}`;
    }
  };
  walk(root, '');
  return found;
}

describe('DATA_DIR permissions', () => {
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    // A data directory from before the rule: open to the group and others.
    dataDir = join(mkdtempSync(join(tmpdir(), 'throughline-modes-')), 'data');
    mkdirSync(join(dataDir, 'keys'), { recursive: true });
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'keys'), 0o755);
    writeFileSync(join(dataDir, 'notes.txt'), 'left by an operator');
    chmodSync(join(dataDir, 'notes.txt'), 0o644);
    t = await startTestApp({}, dataDir);
  });
  afterAll(() => t.close());

  it('leaves the databases, their logs and the keys readable by the owner only', async () => {
    const token = await t.systemToken('police', [POLICE]);
    await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/cloudevents-batch+json')
      .send(JSON.stringify([new SubjectJourney().registered()]))
      .expect(200);
    await t.settle();
    const reader = await t.personToken('police', 'iom-officer');
    await t.http
      .get('/v1/subjects')
      .set('Authorization', `Bearer ${reader}`)
      .set('X-Purpose-Of-Use', 'case-management')
      .expect(200);
    await t.app.get((await import('@throughline/audit')).AuditService).checkpoint();

    const found = modes(dataDir);
    for (const name of ['events.db', 'events.db-wal', 'audit.db', 'audit.db-wal', 'read-models.db']) {
      expect(found).toHaveProperty([name]);
    }
    expect(Object.keys(found).some((name) => name.startsWith('keys/'))).toBe(true);
    const loose = Object.entries(found).filter(
      ([name, mode]) => name !== 'notes.txt' && mode !== 'dir 700' && mode !== 'file 600',
    );
    expect(loose).toEqual([]);
    // Not the platform's: DATA_DIR may hold other things, whose modes are not ours to change.
    expect(found['notes.txt']).toBe('file 644');
  });
});
