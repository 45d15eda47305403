import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  CATALOGUE,
  CATALOGUE_EXAMPLES,
  type DataCategory,
  DEFAULT_AGENCIES,
  type DefaultAgency,
  EVENT_TYPES,
  type EventType,
  type PublishedEvent,
  PURPOSES_OF_USE,
  type PurposeOfUse,
} from '@throughline/domain';
import {
  buildReadPolicy,
  categoryAccess,
  changesSharing,
  decide,
  emptySharingState,
  parseAgreement,
  type Reader,
} from '@throughline/sharing';
import { discloseSubject } from './disclose';
import { emptyRecord } from './subject-record';
import { evolveSubjectDoc, type FoldedSubjectDoc, type SubjectDoc, settleViews } from './subject-view';
import { RECORD_FIELDS, type ServedRecord, servedRecord, withheldFields } from './withheld-record';

const SHIPPED = parseAgreement(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'), 'utf8'),
);
const SUBJECT = '3c1f9a7e-2b4d-4f6a-9e8c-7d5b3a1f0e2d';
const NOW = new Date('2025-03-01T12:00:00Z');

const MENTOR: Reader = { kind: 'person', id: 'mentor-1', agency: 'voluntary', role: 'mentor' };
const OFFICER: Reader = { kind: 'person', id: 'officer-1', agency: 'police', role: 'iom-officer' };

interface Published {
  readonly type: EventType;
  readonly publisher: string;
  readonly data?: Record<string, unknown>;
}

function eventsOf(published: readonly Published[]): PublishedEvent[] {
  return published.map(({ type, publisher, data }, index) => {
    const position = index + 1;
    return {
      type,
      data: data ?? CATALOGUE_EXAMPLES[type],
      id: `event-${position}`,
      subjectId: SUBJECT,
      position,
      revision: index,
      meta: {
        agency: publisher,
        source: `urn:throughline:${publisher}:test`,
        ceId: `ce-${position}`,
        time: new Date(Date.parse('2025-01-01T00:00:00Z') + position * 60_000).toISOString(),
        subjectRef: SUBJECT,
        publishedBy: publisher,
        category: CATALOGUE[type].category as DataCategory,
      },
    } as PublishedEvent;
  });
}

function docOf(events: readonly PublishedEvent[]): SubjectDoc {
  let doc: FoldedSubjectDoc | null = null;
  for (const event of events) doc = evolveSubjectDoc(doc, event, SHIPPED);
  return settleViews(doc!, SHIPPED);
}

/** The record as the read path serves it to one reader; null when nothing is served (a 404). */
function serveOrNone(
  doc: SubjectDoc,
  reader: Reader,
  purpose: PurposeOfUse = 'case-management',
): ServedRecord | null {
  const policy = buildReadPolicy({ reader, purpose, agreement: SHIPPED, sharing: doc.sharing, now: NOW });
  const access = categoryAccess({ policy, agreement: SHIPPED, reader, purpose });
  const disclosure = discloseSubject(doc, reader.agency, policy);
  return disclosure && servedRecord(disclosure.record, access, withheldFields(policy, access));
}

function serve(doc: SubjectDoc, reader: Reader, purpose?: PurposeOfUse): ServedRecord {
  const served = serveOrNone(doc, reader, purpose);
  if (!served) throw new Error(`nothing of the subject is served to ${reader.agency}`);
  return served;
}

const registered: Published = { type: 'iom.subject.registered.v1', publisher: 'police' };
const arrest: Published = { type: 'iom.arrest.recorded.v1', publisher: 'police' };
const custody: Published = { type: 'iom.custody.received.v1', publisher: 'prison' };

describe('the served record', () => {
  it('marks arrests withheld for a mentor, where it would have said 0', () => {
    const served = serve(docOf(eventsOf([registered, arrest, arrest, arrest])), MENTOR);
    expect(served.arrests).toBeNull();
    expect(served.withheld.arrests).toBe('not-shared');
    expect(served.bases.offending).toBe('not-shared');
    expect(served.identity?.familyName).toBe('Hartshorne');
  });

  it('counts the arrests for the police, who are shared them', () => {
    const served = serve(docOf(eventsOf([registered, arrest, arrest, arrest])), OFFICER);
    expect(served.arrests).toBe(3);
    expect(served.bases.offending).toBe('shared');
    // Pathway data reaches the police only with consent.
    expect(served.withheld).toEqual({
      treatment: 'consent-required',
      lastDrugTest: 'consent-required',
      employment: 'consent-required',
    });
  });

  it('serves a mentor the custody dates and withholds where and why', () => {
    const served = serve(
      docOf(
        eventsOf([
          registered,
          {
            ...custody,
            data: { ...CATALOGUE_EXAMPLES['iom.custody.received.v1'], expectedRelease: '2025-06-01' },
          },
        ]),
      ),
      MENTOR,
    );
    expect(served.custody.status).toBe('in-custody');
    expect(served.custody.expectedRelease).toBe('2025-06-01');
    expect(served.custody.establishment).toBeNull();
    expect(served.custody.custodyType).toBeNull();
    expect(served.withheld['custody.establishment']).toBe('not-shared');
    expect(served.wanted).toBeNull();
    expect(served.withheld.wanted).toBe('not-shared');
    expect(served.bases.custody).toBe('shared-in-part');
  });

  it('gives the police the last arrest and the charges, and a mentor neither, on the stated basis', () => {
    const charged: Published = {
      type: 'iom.charge.recorded.v1',
      publisher: 'police',
      data: {
        offences: [{ offence: 'Burglary dwelling', offenceGroup: 'burglary' }],
        outcome: 'remanded',
        court: 'North Staffordshire Justice Centre',
      },
    };
    const doc = docOf(eventsOf([registered, arrest, charged]));
    const police = serve(doc, OFFICER);
    expect(police.lastArrest).toEqual(CATALOGUE_EXAMPLES['iom.arrest.recorded.v1']);
    expect(police.charges).toEqual([
      expect.objectContaining({ outcome: 'remanded', firstHearing: null, offences: charged.data!.offences }),
    ]);
    expect(police.convictions).toEqual([]);
    const mentor = serve(doc, MENTOR);
    for (const path of ['lastArrest', 'charges', 'convictions'] as const) {
      expect(mentor[path]).toBeNull();
      expect(mentor.withheld[path]).toBe('not-shared');
    }
  });

  it('gives the current address from the latest accommodation change, none when it gives none', () => {
    const housing: Reader = { kind: 'person', id: 'ho-1', agency: 'housing', role: 'housing-officer' };
    const moved = (status: string, address?: string): Published => ({
      type: 'iom.accommodation.changed.v1',
      publisher: 'housing',
      data: { status, tenancyAtRisk: false, ...(address ? { address } : {}) },
    });
    const settled = serve(docOf(eventsOf([registered, moved('settled', '1 High Street')])), housing);
    expect(settled.currentAddress).toMatchObject({ address: '1 High Street' });
    const sleepingOut = serve(
      docOf(eventsOf([registered, moved('settled', '1 High Street'), moved('rough-sleeping')])),
      housing,
    );
    expect(sleepingOut.currentAddress).toBeNull();
    expect(sleepingOut.withheld.currentAddress).toBeUndefined();
  });

  it('names the consent a mentor would need for supervision, and serves its controller’s part once given', () => {
    const without = serve(docOf(eventsOf([registered])), MENTOR);
    expect(without.supervision.attended).toBeNull();
    expect(without.withheld['supervision.attended']).toBe('consent-required');
    const consent: Published = {
      type: 'iom.consent.given.v1',
      // Recorded by probation, the controller of the supervision record it opens.
      publisher: 'probation',
      data: {
        scope: { categories: ['supervision'], recipients: ['voluntary'], purposes: ['case-management'] },
        recordedBy: 'key worker',
        formReference: 'CF-1',
      },
    };
    const given = serve(docOf(eventsOf([registered, consent])), MENTOR);
    // Probation's consent opens probation's supervision record (breaches are probation's alone);
    // appointments any agency may record stay withheld, as the consent opens no one else's data.
    expect(given.supervision.breaches).toBe(0);
    expect(given.withheld['supervision.breaches']).toBeUndefined();
    expect(given.supervision.attended).toBeNull();
    expect(given.withheld['supervision.attended']).toBeDefined();
    expect(given.bases.supervision).toBe('shared-in-part');
  });

  it('withholds a probation officer’s drug treatment until consent, though licence tests are shared', () => {
    const officer: Reader = { kind: 'person', id: 'om-1', agency: 'probation', role: 'offender-manager' };
    const served = serve(docOf(eventsOf([registered])), officer);
    expect(served.bases.drugs).toBe('shared-in-part');
    expect(served.withheld.treatment).toBe('consent-required');
    // Served only for some data values, the last test cannot be stated for every test.
    expect(served.withheld.lastDrugTest).toBe('consent-required');
  });

  it('serves an agency all of what it alone publishes, with nothing of it marked withheld', () => {
    const officer: Reader = { kind: 'person', id: 'po-1', agency: 'prison', role: 'prison-officer' };
    const served = serve(
      docOf(eventsOf([{ ...registered, publisher: 'prison' }, custody])),
      officer,
      'enforcement',
    );
    // Only the prison publishes custody events: what it published is its own, never marked withheld.
    expect(served.custody).toMatchObject({ status: 'in-custody', establishment: 'HMP Birmingham' });
    expect(Object.keys(served.withheld).filter((path) => path.startsWith('custody.'))).toEqual([]);
  });

  it('names every field it can withhold by a path of the record', () => {
    const system: Reader = { kind: 'system', id: 'urn:x', agency: 'police', role: 'system' };
    const policy = buildReadPolicy({
      reader: system,
      purpose: 'case-management',
      agreement: SHIPPED,
      sharing: emptySharingState(),
      now: NOW,
    });
    const access = categoryAccess({ policy, agreement: SHIPPED, reader: system, purpose: 'case-management' });
    const served = servedRecord(emptyRecord(SUBJECT), access, withheldFields(policy, access));
    for (const { path } of RECORD_FIELDS) {
      const [head, tail] = path.split('.') as [keyof ServedRecord, string | undefined];
      const value = tail === undefined ? served[head] : (served[head] as Record<string, unknown>)[tail];
      expect([path, value]).toEqual([path, null]);
    }
  });
});

/** The types partners publish about a subject, other than those that change sharing or rewrite the past. */
const ORDINARY: readonly EventType[] = EVENT_TYPES.filter(
  (type) =>
    !changesSharing(type) && !type.startsWith('iom.record.') && CATALOGUE[type].category !== 'of-target',
);

const publishersOf = (type: EventType, reader: string): DefaultAgency[] => {
  const publishers = CATALOGUE[type].publishers;
  return (publishers === 'any' ? DEFAULT_AGENCIES : publishers).filter((agency) => agency !== reader);
};

describe('no existence leak', () => {
  // Each agency's practitioner role, as the shipped agreement names them.
  const PRACTITIONER: Record<DefaultAgency, string> = {
    police: 'iom-officer',
    probation: 'offender-manager',
    prison: 'prison-officer',
    health: 'drug-worker',
    housing: 'housing-officer',
    voluntary: 'mentor',
  };
  const readerArb = fc
    .constantFrom(...DEFAULT_AGENCIES)
    .map((agency): Reader => ({ kind: 'person', id: `${agency}-1`, agency, role: PRACTITIONER[agency] }));
  const eventArb = fc
    .constantFrom(...ORDINARY)
    .chain((type) => fc.record({ type: fc.constant(type), pick: fc.nat() }));

  it('two subjects that differ only in the withheld events they hold are served the same record', () => {
    fc.assert(
      fc.property(
        readerArb,
        fc.constantFrom(...PURPOSES_OF_USE),
        fc.array(eventArb, { maxLength: 12 }),
        fc.array(eventArb, { minLength: 1, maxLength: 12 }),
        (reader, purpose, common, extra) => {
          const published = (list: readonly { type: EventType; pick: number }[]): Published[] =>
            list.flatMap(({ type, pick }) => {
              const publishers = publishersOf(type, reader.agency);
              const publisher = publishers[pick % Math.max(publishers.length, 1)];
              return publisher ? [{ type, publisher }] : [];
            });
          const shared = [registered, ...published(common)];
          const policy = buildReadPolicy({
            reader,
            purpose,
            agreement: SHIPPED,
            sharing: docOf(eventsOf(shared)).sharing,
            now: NOW,
          });
          // Only the extra events the reader's policy serves nothing of.
          const withheld = published(extra).filter(
            (candidate) => decide(policy, eventsOf([candidate])[0]!) === null,
          );
          const plain = serveOrNone(docOf(eventsOf(shared)), reader, purpose);
          const holding = serveOrNone(docOf(eventsOf([...shared, ...withheld])), reader, purpose);
          expect(JSON.stringify(holding)).toBe(JSON.stringify(plain));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the bases and the withheld fields never depend on the events a subject holds', () => {
    // Registered by the reader's own agency, so something is served wherever the reader's role
    // may read subjects for the purpose at all.
    const served = (reader: Reader, purpose: PurposeOfUse, published: readonly Published[]) =>
      serveOrNone(
        docOf(eventsOf([{ ...registered, publisher: reader.agency }, ...published])),
        reader,
        purpose,
      );
    fc.assert(
      fc.property(
        readerArb,
        fc.constantFrom(...PURPOSES_OF_USE),
        fc.array(eventArb, { maxLength: 20 }),
        (reader, purpose, events) => {
          const published = events.flatMap(({ type, pick }) => {
            const publishers = publishersOf(type, reader.agency);
            const publisher = publishers[pick % Math.max(publishers.length, 1)];
            return publisher ? [{ type, publisher }] : [];
          });
          const holding = served(reader, purpose, published);
          const baseline = served(reader, purpose, []);
          expect(holding === null).toBe(baseline === null);
          expect(holding?.bases).toEqual(baseline?.bases);
          expect(holding?.withheld).toEqual(baseline?.withheld);
        },
      ),
      { numRuns: 150 },
    );
  });
});
