import { CATALOGUE, CATALOGUE_EXAMPLES, type EventType, type PublishedEvent } from '@throughline/domain';
import { consentKey } from '@throughline/sharing';
import { evolveSubjectDoc, refoldSubjectDoc, SubjectFoldError } from './subject-view';

let revision = -1;
const event = (type: EventType, agency: string, data: object, ceId = `ce-${revision + 1}`): PublishedEvent =>
  ({
    type,
    data,
    id: `e-${revision + 1}`,
    subjectId: 's-1',
    position: 100 + revision + 1,
    revision: ++revision,
    meta: {
      agency,
      source: `urn:throughline:${agency}:spec`,
      ceId,
      time: '2026-01-05T09:00:00Z',
      subjectRef: 's-1',
      publishedBy: `${agency}-spec`,
      category: CATALOGUE[type].category === 'of-target' ? 'identity' : CATALOGUE[type].category,
    },
  }) as unknown as PublishedEvent;

const registered = event(
  'iom.subject.registered.v1',
  'police',
  CATALOGUE_EXAMPLES['iom.subject.registered.v1'],
);
// Stored before its data was checked as it is now: a scope that is no scope makes the fold throw.
const poison = event(
  'iom.consent.given.v1',
  'health',
  { scope: 'everything', expires: '2099-01-01' },
  'poison',
);
const arrested = event('iom.arrest.recorded.v1', 'police', CATALOGUE_EXAMPLES['iom.arrest.recorded.v1']);
const amend = (type: 'iom.record.redacted.v1' | 'iom.record.corrected.v1', data: object = {}) =>
  event(type, 'health', {
    ...CATALOGUE_EXAMPLES[type],
    targetEventId: 'poison',
    targetSource: 'urn:throughline:health:spec',
    ...data,
  });

describe('refoldSubjectDoc', () => {
  it('folds a stream that never throws to what folding it event by event gives', () => {
    const stream = [registered, arrested];
    const byEvent = stream.reduce<ReturnType<typeof refoldSubjectDoc>>(
      (doc, next) => evolveSubjectDoc(doc, next, null),
      null,
    );
    expect(refoldSubjectDoc(stream, null)).toEqual(byEvent);
  });

  it('names the event it cannot fold', () => {
    expect.assertions(2);
    try {
      refoldSubjectDoc([registered, poison, arrested], null);
    } catch (error) {
      expect(error).toBeInstanceOf(SubjectFoldError);
      expect((error as SubjectFoldError).event).toBe(poison);
    }
  });

  it('folds an event a later redaction removes as an entry with no data that changes nothing else', () => {
    const redaction = amend('iom.record.redacted.v1');
    const doc = refoldSubjectDoc([registered, poison, arrested, redaction], null)!;
    expect(doc.timeline.map((entry) => entry.id)).toEqual([
      registered.id,
      poison.id,
      arrested.id,
      redaction.id,
    ]);
    expect(doc.timeline[1]).toMatchObject({ data: {}, redactedBy: { eventId: redaction.id } });
    expect(doc.sharing.consents).toEqual({});
    expect(doc.revision).toBe(redaction.revision);
  });

  it('folds an event later corrections repair as corrected', () => {
    const scope = { categories: ['drugs'], recipients: ['probation'], purposes: ['case-management'] };
    const correction = amend('iom.record.corrected.v1', { replacement: { scope } });
    const doc = refoldSubjectDoc([registered, poison, correction], null)!;
    expect(doc.sharing.consents[consentKey('health', 'drugs', 'probation', 'case-management')]).toEqual({
      eventId: poison.id,
      controller: 'health',
      // Written '2099-01-01': the end of that day in London, in GMT.
      expires: '2099-01-02T00:00:00.000Z',
    });
    expect(doc.timeline[1]).toMatchObject({ data: { scope }, correctedBy: { eventId: correction.id } });
  });

  it("does not take another agency's redaction for the publisher's", () => {
    const byPolice = { ...amend('iom.record.redacted.v1'), meta: { ...registered.meta } } as PublishedEvent;
    expect(() => refoldSubjectDoc([registered, poison, byPolice], null)).toThrow(SubjectFoldError);
  });
});
