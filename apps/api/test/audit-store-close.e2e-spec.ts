import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt } from './child-process';

const ROOT = join(__dirname, '..', '..', '..');

/*
 * The audit writer thread holds the process open only while an append waits on it, so an idle
 * process can exit. Closing must hold it open until the thread has gone, or whatever awaits the
 * close (the other shutdown hooks, a CLI's last lines, the bench) never runs. Only a process of its
 * own shows this: under the test runner something else always keeps the event loop alive.
 */
describe('closing the SQLite audit store', () => {
  let dir: string;

  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'audit-close-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes the caller once the writer thread has stopped, in a process with nothing else to do', () => {
    const script = `
      require('tsconfig-paths').register({ baseUrl: ${JSON.stringify(join(ROOT, 'dist'))}, paths: { '@throughline/*': ['libs/*/src'] } });
      const { randomUUID } = require('node:crypto');
      const { SqliteAuditStore } = require('@throughline/audit');
      (async () => {
        const store = new SqliteAuditStore(${JSON.stringify(join(dir, 'audit.db'))});
        const [record] = await store.append([{
          id: randomUUID(), at: new Date().toISOString(), requestId: null,
          principal: { kind: 'person', user: 'u1', agency: 'police', role: 'iom-officer' },
          action: 'subject.view', outcome: 'refused', purpose: 'case-management', agreementVersion: null,
          subjects: [], refusal: { status: 404, reason: 'Subject not found', subjectId: null },
        }]);
        console.log('appended ' + record.seq);
        await store.close();
        console.log('closed');
      })();`;
    const output = execFileSync(process.execPath, ['-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(output.trim().split('\n')).toEqual(['appended 1', 'closed']);
  });
});
