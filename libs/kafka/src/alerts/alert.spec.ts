import { readFileSync } from 'node:fs';
import {
  CATALOGUE_EXAMPLES,
  DEFAULT_AGENCIES,
  type EventMeta,
  isAlerting,
  type PublishedEvent,
} from '@throughline/domain';
import {
  consentKey,
  defaultAgreementFile,
  emptySharingState,
  parseAgreement,
  type SharingState,
} from '@throughline/sharing';
import { alertDisclosure, alertId, planAlerts, type SubjectSharing } from './alert';

const agreement = parseAgreement(readFileSync(defaultAgreementFile(), 'utf8'));
const now = new Date('2025-03-01T12:00:00Z');
const recordedAt = new Date('2025-03-01T11:59:00Z');
const subjectId = '0b7c5a56-1f0e-5b39-9f3e-2b4f8f6d1c11';

const event = (
  type: keyof typeof CATALOGUE_EXAMPLES,
  agency: string,
  category: EventMeta['category'],
): PublishedEvent =>
  ({
    type,
    data: CATALOGUE_EXAMPLES[type],
    id: `evt-${type}`,
    subjectId,
    position: 42,
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

const everyone = (sharing: SharingState = emptySharingState()): SubjectSharing => ({
  views: Object.fromEntries(DEFAULT_AGENCIES.map((agency) => [agency, {}])),
  sharing,
  workingWith: DEFAULT_AGENCIES.map((agency) => ({ agency, since: 0 })),
});

const recipients = (alerts: ReturnType<typeof planAlerts>): string[] =>
  alerts.map((alert) => alert.data.agency);

describe('planAlerts: who hears of what, cut by the sharing agreement', () => {
  it('alerts a planned release with the notice it gives, flagged when short of 28 days, and a transfer', () => {
    const planned = (date: string) =>
      ({
        ...event('iom.release.planned.v1', 'prison', 'custody'),
        data: { date, type: 'CRD', addressKnown: false },
      }) as PublishedEvent;
    // The event happened on 2025-03-01 (its meta time).
    const soon = planAlerts({
      event: planned('2025-03-11'),
      recordedAt,
      subject: everyone(),
      agreement,
      now,
    });
    expect(soon.length).toBeGreaterThan(0);
    expect(soon[0]!.type).toBe('iom.alert.release-planned.v1');
    expect(soon.every((alert) => alert.data.notice?.days === 10 && alert.data.notice.short)).toBe(true);
    const later = planAlerts({
      event: planned('2025-04-10'),
      recordedAt,
      subject: everyone(),
      agreement,
      now,
    });
    expect(later.every((alert) => alert.data.notice?.days === 40 && !alert.data.notice.short)).toBe(true);
    const moved = planAlerts({
      event: event('iom.custody.transferred.v1', 'prison', 'custody'),
      recordedAt,
      subject: everyone(),
      agreement,
      now,
    });
    expect(moved.map((alert) => alert.type)).toContain('iom.alert.custody-transferred.v1');
  });

  it('tells only the agencies working with the person, however widely the agreement shares the event', () => {
    const custody = event('iom.custody.received.v1', 'prison', 'custody');
    const subject = {
      ...everyone(),
      workingWith: [
        { agency: 'prison', since: 1 },
        { agency: 'police', since: 2 },
        // Put on the caseload by a later event: not working with the person when this one happened.
        { agency: 'voluntary', since: 43 },
      ],
    };
    const alerts = planAlerts({ event: custody, recordedAt, subject, agreement, now });
    const widely = recipients(
      planAlerts({ event: custody, recordedAt, subject: everyone(), agreement, now }),
    );
    expect(widely).toEqual(expect.arrayContaining(['police', 'prison', 'voluntary']));
    expect(recipients(alerts)).toEqual(['police', 'prison']);
  });

  it('tells the criminal justice partners of an arrest, and neither health, housing nor the voluntary sector', () => {
    const alerts = planAlerts({
      event: event('iom.arrest.recorded.v1', 'police', 'offending'),
      recordedAt,
      subject: everyone(),
      agreement,
      now,
    });
    expect(recipients(alerts)).toEqual(['police', 'prison', 'probation']);
    expect(alerts.map((alert) => alert.data.disclosure.rule)).toEqual([
      'own-publication',
      'agreement',
      'agreement',
    ]);
  });

  it('tells community partners of a release with the date only', () => {
    const alerts = planAlerts({
      event: event('iom.custody.released.v1', 'prison', 'custody'),
      recordedAt,
      subject: everyone(),
      agreement,
      now,
    });
    const voluntary = alerts.find((alert) => alert.data.agency === 'voluntary')!;
    expect(voluntary.type).toBe('iom.alert.custody-released.v1');
    expect(voluntary.data.fields).toEqual({
      releasedAt: CATALOGUE_EXAMPLES['iom.custody.released.v1'].releasedAt,
    });
    expect(alerts.find((alert) => alert.data.agency === 'probation')!.data.fields).toEqual(
      CATALOGUE_EXAMPLES['iom.custody.released.v1'],
    );
  });

  it('keeps a wanted flag from the voluntary sector', () => {
    const alerts = planAlerts({
      event: event('iom.wanted.flagged.v1', 'police', 'intelligence'),
      recordedAt,
      subject: everyone(),
      agreement,
      now,
    });
    expect(recipients(alerts)).toEqual(['police']);
  });

  it('follows consent: a breach reaches the voluntary sector only when the subject consented', () => {
    const breach = event('iom.breach.recorded.v1', 'probation', 'supervision');
    expect(
      recipients(planAlerts({ event: breach, recordedAt, subject: everyone(), agreement, now })),
    ).not.toContain('voluntary');
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
    const alerts = planAlerts({ event: breach, recordedAt, subject: everyone(consented), agreement, now });
    expect(alerts.find((alert) => alert.data.agency === 'voluntary')!.data.disclosure).toMatchObject({
      basis: 'consent',
      reliedOn: 'consent-1',
    });
  });

  it('follows consent only from the controller: another agency recording it opens no alert', () => {
    const breach = event('iom.breach.recorded.v1', 'probation', 'supervision');
    const recordedByPolice: SharingState = {
      ...emptySharingState(),
      consents: {
        [consentKey('police', 'supervision', 'voluntary', 'case-management')]: {
          eventId: 'consent-2',
          controller: 'police',
          expires: null,
        },
      },
    };
    expect(
      recipients(
        planAlerts({ event: breach, recordedAt, subject: everyone(recordedByPolice), agreement, now }),
      ),
    ).not.toContain('voluntary');
  });

  it('alerts only agencies holding a view of the subject', () => {
    const subject: SubjectSharing = {
      views: { probation: {} },
      sharing: emptySharingState(),
      workingWith: DEFAULT_AGENCIES.map((agency) => ({ agency, since: 0 })),
    };
    expect(
      recipients(
        planAlerts({
          event: event('iom.arrest.recorded.v1', 'police', 'offending'),
          recordedAt,
          subject,
          agreement,
          now,
        }),
      ),
    ).toEqual(['probation']);
  });

  it('gives the same alert the same id on every run, and a different one per recipient', () => {
    const input = {
      event: event('iom.recall.recorded.v1', 'probation', 'supervision'),
      recordedAt,
      subject: everyone(),
      agreement,
      now,
    };
    const first = planAlerts(input);
    expect(planAlerts({ ...input, now: new Date('2025-03-02T00:00:00Z') }).map((a) => a.id)).toEqual(
      first.map((a) => a.id),
    );
    expect(first.map((a) => a.id)).toEqual(
      first.map((a) => alertId('evt-iom.recall.recorded.v1', a.data.agency)),
    );
    expect(new Set(first.map((a) => a.id)).size).toBe(first.length);
    expect(first[0]).toMatchObject({
      specversion: '1.0',
      source: 'urn:throughline:alerts',
      subject: subjectId,
      time: recordedAt.toISOString(),
    });
  });

  it('describes each alert for the disclosure register by ids and field names only, under the alert id', () => {
    const alerts = planAlerts({
      event: event('iom.custody.released.v1', 'prison', 'custody'),
      recordedAt,
      subject: everyone(),
      agreement,
      now,
    });
    const voluntary = alerts.find((alert) => alert.data.agency === 'voluntary')!;
    expect(alertDisclosure(voluntary, 412)).toEqual({
      id: voluntary.id,
      requestId: voluntary.id,
      principal: { kind: 'system', user: 'alerts-relay', agency: 'voluntary', role: 'alerts' },
      action: 'alert',
      outcome: 'disclosed',
      purpose: 'case-management',
      agreementVersion: agreement.version,
      subjects: [
        {
          subjectId,
          grounds: [
            {
              rule: 'agreement',
              basis: 'always',
              clause: 'community-custody-dates',
              legalBasis: voluntary.data.disclosure.legalBasis,
              reliedOn: null,
              categories: ['custody'],
            },
          ],
          fields: { custody: ['releasedAt'] },
          positions: [412],
        },
      ],
      refusal: null,
    });
  });

  it('ignores events that are not alerts', () => {
    expect(isAlerting('iom.home-visit.recorded.v1')).toBe(false);
    expect(
      planAlerts({
        event: event('iom.home-visit.recorded.v1', 'police', 'supervision'),
        recordedAt,
        subject: everyone(),
        agreement,
        now,
      }),
    ).toEqual([]);
  });
});
