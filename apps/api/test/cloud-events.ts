import { randomUUID } from 'node:crypto';

export interface CloudEventBody {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype?: string;
  data: Record<string, unknown>;
}

let clock = Date.parse('2025-01-06T09:00:00Z');
const nextTime = (): string => new Date((clock += 60_000)).toISOString();

export const cloudEvent = (
  source: string,
  type: string,
  subject: string,
  data: Record<string, unknown>,
): CloudEventBody => ({
  specversion: '1.0',
  id: randomUUID(),
  source,
  type,
  subject,
  time: nextTime(),
  datacontenttype: 'application/json',
  data,
});

export const POLICE = 'urn:throughline:police:custody';
export const PROBATION = 'urn:throughline:probation:case-management';
export const PRISON = 'urn:throughline:prison:nomis';

/** Builds one subject's journey as the agencies would publish it; unique identifiers per test. */
export class SubjectJourney {
  readonly pnc = `${2000 + Math.floor(Math.random() * 25)}/${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}${'ABCDEFGHJK'[Math.floor(Math.random() * 10)]}`;
  readonly crn = `X${randomUUID().slice(0, 6).toUpperCase()}`;
  readonly nomis = `A${Math.floor(1000 + Math.random() * 8999)}${randomUUID().slice(0, 2).toUpperCase()}`;

  registered(givenName = 'Sam', familyName = 'Carter'): CloudEventBody {
    return cloudEvent(POLICE, 'iom.subject.registered.v1', `pnc:${this.pnc}`, {
      givenName,
      familyName,
      dateOfBirth: '1990-04-12',
      gender: 'male',
      identifiers: [
        { scheme: 'crn', value: this.crn },
        { scheme: 'nomis', value: this.nomis },
      ],
    });
  }

  arrested(offence = 'Burglary dwelling'): CloudEventBody {
    return cloudEvent(POLICE, 'iom.arrest.recorded.v1', `pnc:${this.pnc}`, {
      offence,
      offenceGroup: 'burglary',
      arrestedAt: '2025-01-06T10:00:00Z',
      custodySuite: 'Northfield',
    });
  }

  scored(score: number, band: 'red' | 'amber' | 'green'): CloudEventBody {
    return cloudEvent(POLICE, 'iom.cohort.scored.v1', `pnc:${this.pnc}`, {
      score,
      band,
      factors: { recentOffending: 10, riskOfHarm: 5, intelligence: 4, linkedSeries: 2, multiplier: 1 },
    });
  }

  receivedIntoCustody(): CloudEventBody {
    return cloudEvent(PRISON, 'iom.custody.received.v1', `nomis:${this.nomis}`, {
      establishment: 'HMP Birmingham',
      status: 'remand',
    });
  }

  released(): CloudEventBody {
    return cloudEvent(PRISON, 'iom.custody.released.v1', `nomis:${this.nomis}`, {
      releasedAt: '2025-03-01T09:00:00Z',
      licence: true,
      gatePickup: true,
    });
  }
}
