import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SqliteEventStore } from '@throughline/event-store';
import { defaultAgreementFile } from './agreement.service';
import { AgreementService } from './agreement.service';

/** The shipped agreement under another version: what a partnership's next agreement looks like. */
const agreementText = (version: string): string =>
  readFileSync(defaultAgreementFile(), 'utf8').replace(/^version: .*$/m, `version: '${version}'`);

describe('AgreementService.current', () => {
  let dir: string;
  let store: SqliteEventStore;
  let other: SqliteEventStore;
  let agreements: AgreementService;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'throughline-agreement-'));
    store = await SqliteEventStore.open(join(dir, 'events.db'));
    // Another process's connection to the same log.
    other = await SqliteEventStore.open(join(dir, 'events.db'));
    agreements = new AgreementService(store);
    await agreements.onApplicationBootstrap();
    await nextTurn();
  });

  afterEach(async () => {
    await Promise.all([store.close(), other.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('looks the log up once for every call in one turn of the event loop', async () => {
    const lookups = jest.spyOn(store, 'headPosition');
    const answers = await Promise.all([agreements.current(), agreements.current(), agreements.current()]);
    expect(lookups).toHaveBeenCalledTimes(1);
    await nextTurn();
    await agreements.current();
    expect(lookups).toHaveBeenCalledTimes(2);
    expect(new Set(answers).size).toBe(1);
  });

  it("applies another process's load from the next turn", async () => {
    expect((await agreements.current())?.version).toBe('2025.1');
    await new AgreementService(other).load(agreementText('2026.1'), 'ig-lead');
    await nextTurn();
    expect((await agreements.current())?.version).toBe('2026.1');
  });

  it('applies a load through itself at once, within the same turn', async () => {
    expect((await agreements.current())?.version).toBe('2025.1');
    await agreements.load(agreementText('2026.2'), 'ig-lead');
    expect((await agreements.current())?.version).toBe('2026.2');
  });
});
