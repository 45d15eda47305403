import { readFileSync } from 'node:fs';
import {
  CATALOGUE_EXAMPLES,
  DEFAULT_AGENCIES,
  type EventMeta,
  type PublishedEvent,
} from '@throughline/domain';
import { defaultAgreementFile } from '../agreement/agreement.service';
import { parseAgreement } from './agreement';
import { consentKey, emptySharingState, type SharingState } from './sharing-state';
import { agenciesTold, isTold, type SubjectSharing } from './told';

const agreement = parseAgreement(readFileSync(defaultAgreementFile(), 'utf8'));
const now = new Date('2025-03-01T12:00:00Z');

const event = (
  type: keyof typeof CATALOGUE_EXAMPLES,
  agency: string,
  category: EventMeta['category'],
  position = 42,
): PublishedEvent =>
  ({
    type,
    data: CATALOGUE_EXAMPLES[type],
    id: `evt-${type}`,
    subjectId: '0b7c5a56-1f0e-5b39-9f3e-2b4f8f6d1c11',
    position,
    revision: 3,
    meta: {
      agency,
      source: `urn:throughline:${agency}:system`,
      ceId: 'ce-1',
      time: '2025-03-01T11:00:00Z',
      subjectRef: 'pnc:x',
      publishedBy: 's',
      category,
    },
  }) as PublishedEvent;

const subject = (
  workingWith: SubjectSharing['workingWith'] = DEFAULT_AGENCIES.map((agency) => ({ agency, since: 0 })),
  sharing: SharingState = emptySharingState(),
  views: readonly string[] = DEFAULT_AGENCIES,
): SubjectSharing => ({
  views: Object.fromEntries(views.map((agency) => [agency, {}])),
  sharing,
  workingWith,
});

const told = (input: Parameters<typeof agenciesTold>[0]): string[] =>
  agenciesTold(input).map(({ agency }) => agency);

describe('agenciesTold: the one rule of who is told of an event', () => {
  it('tells no one of an event of a kind nobody is alerted to', () => {
    expect(
      told({
        event: event('iom.home-visit.recorded.v1', 'police', 'supervision'),
        subject: subject(),
        agreement,
        now,
      }),
    ).toEqual([]);
  });

  it('tells an agency working with the person from the event itself, and not one put on the caseload after it', () => {
    const custody = event('iom.custody.received.v1', 'prison', 'custody', 42);
    const working = [
      // The event that put prison on the caseload is this very one: working with the person then.
      { agency: 'prison', since: 42 },
      { agency: 'police', since: 1 },
      { agency: 'voluntary', since: 43 },
    ];
    expect(told({ event: custody, subject: subject(working), agreement, now })).toEqual(['police', 'prison']);
  });

  it('tells only agencies holding a view of the subject, in agency order', () => {
    const arrest = event('iom.arrest.recorded.v1', 'police', 'offending');
    expect(
      told({
        event: arrest,
        subject: subject(undefined, undefined, ['probation', 'police']),
        agreement,
        now,
      }),
    ).toEqual(['police', 'probation']);
  });

  it('asks the engine: an arrest reaches the criminal justice partners, never health, housing or the voluntary sector', () => {
    const arrest = event('iom.arrest.recorded.v1', 'police', 'offending');
    const result = agenciesTold({ event: arrest, subject: subject(), agreement, now });
    expect(result.map(({ agency }) => agency)).toEqual(['police', 'prison', 'probation']);
    expect(result.map(({ decision }) => decision.reason.rule)).toEqual([
      'own-publication',
      'agreement',
      'agreement',
    ]);
  });

  it('follows consent as it stands when asked: a breach reaches the voluntary sector only with it', () => {
    const breach = event('iom.breach.recorded.v1', 'probation', 'supervision');
    const consented: SharingState = {
      ...emptySharingState(),
      consents: {
        [consentKey('probation', 'supervision', 'voluntary', 'case-management')]: {
          eventId: 'consent-1',
          controller: 'probation',
          expires: null,
        },
      },
    };
    expect(told({ event: breach, subject: subject(), agreement, now })).not.toContain('voluntary');
    expect(told({ event: breach, subject: subject(undefined, consented), agreement, now })).toContain(
      'voluntary',
    );
    // An expired consent is asked at the moment given: it opens nothing.
    const expired: SharingState = {
      ...consented,
      consents: Object.fromEntries(
        Object.entries(consented.consents).map(([key, grant]) => [
          key,
          { ...grant, expires: '2025-02-01T00:00:00Z' },
        ]),
      ),
    };
    expect(told({ event: breach, subject: subject(undefined, expired), agreement, now })).not.toContain(
      'voluntary',
    );
  });

  it('answers isTold for one agency exactly as the list does', () => {
    for (const [type, agency, category] of [
      ['iom.arrest.recorded.v1', 'police', 'offending'],
      ['iom.custody.released.v1', 'prison', 'custody'],
      ['iom.appointment.missed.v1', 'probation', 'supervision'],
      ['iom.wanted.flagged.v1', 'police', 'intelligence'],
    ] as const) {
      const input = { event: event(type, agency, category), subject: subject(), agreement, now };
      const listed = told(input);
      for (const candidate of DEFAULT_AGENCIES)
        expect(isTold(candidate, input)).toBe(listed.includes(candidate));
    }
  });
});
