import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pncIdOf, subjectStream } from '@throughline/domain';
import { SqliteEventStore } from '@throughline/event-store';
import { loadConfig } from '@throughline/platform';
import { IngestEventsService, IngestRejectedError } from './features/ingest-events/ingest-events.service';
import { SubjectCeiling } from './features/ingest-events/subject-ceiling';
import { IdentifierIssuers } from './identifier-issuers';
import { IdentityIndex } from './identity-index';

const POLICE = 'urn:throughline:police:custody';
const police = { id: 'police-custody', agency: 'police', sources: [POLICE] };

const event = (type: string, subject: string, data: Record<string, unknown>) => ({
  specversion: '1.0',
  id: randomUUID(),
  source: POLICE,
  type,
  subject,
  time: '2025-01-06T09:00:00Z',
  data,
});

/**
 * A log written before the identifier rules holds identifiers as the agencies typed them. An index
 * built from it, and ingestion planning against that index, read them by today's rules.
 */
describe('identifiers stored before the rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-stored-identifiers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolve in their canonical forms, and claim them against a second registration', async () => {
    const store = await SqliteEventStore.open(join(dir, 'events.db'));
    try {
      const owner = randomUUID();
      const pnc = pncIdOf(2009, randomInt(1, 10_000_000));
      // As typed then: short year, lower case, a local id with spaces, and a value of no scheme.
      await store.append(subjectStream(owner), [
        {
          id: randomUUID(),
          type: 'iom.subject.registered.v1',
          data: {
            givenName: 'Sam',
            familyName: 'Carter',
            dateOfBirth: '1990-04-12',
            identifiers: [
              { scheme: 'local', value: ' CUST-7 ' },
              { scheme: 'nhs', value: 'banana' },
            ],
          },
          metadata: { subjectRef: `pnc:${pnc.slice(2).toLowerCase()}`, agency: 'police' },
        },
      ]);
      const identity = new IdentityIndex(store);
      await identity.catchUp();
      expect(identity.identifiersOf(owner)).toEqual([`local:police/CUST-7`, `pnc:${pnc}`]);
      expect(identity.resolve({ scheme: 'pnc', value: pnc })).toBe(owner);

      const ingestion = new IngestEventsService(
        store,
        identity,
        new SubjectCeiling(store, loadConfig({})),
        new IdentifierIssuers(),
      );
      const [arrest] = await ingestion.ingest(
        [
          event('iom.arrest.recorded.v1', 'local:CUST-7', {
            offence: 'Burglary dwelling',
            offenceGroup: 'burglary',
            arrestedAt: '2025-01-06T10:00:00Z',
            custodySuite: 'Northfield',
          }),
        ],
        police,
      );
      expect(arrest?.subjectId).toBe(owner);
      const again = ingestion.ingest(
        [
          event('iom.subject.registered.v1', `pnc:${pnc}`, {
            givenName: 'Sam',
            familyName: 'Carter',
            dateOfBirth: '1990-04-12',
            identifiers: [],
          }),
        ],
        police,
      );
      await expect(again).rejects.toBeInstanceOf(IngestRejectedError);
      await expect(again).rejects.toMatchObject({
        status: 409,
        issues: [{ field: 'subject', constraint: 'alreadyRegistered' }],
      });
    } finally {
      await store.close();
    }
  });
});
