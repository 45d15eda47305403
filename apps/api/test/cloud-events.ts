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

/**
 * Identifiers come from a serial, unique within the process: random ones collide once a test makes
 * thousands of journeys (the crash test does), and a second registration of one is refused.
 */
let serials = Math.floor(Math.random() * 1_000_000);
const nextSerial = (): number => serials++;

/** Builds one subject's journey as the agencies would publish it; unique identifiers per test. */
export class SubjectJourney {
  private readonly serial = nextSerial();
  readonly pnc = `${2000 + (this.serial % 25)}/${String(Math.floor(this.serial / 25)).padStart(7, '0')}${'ABCDEFGHJK'[this.serial % 10]}`;
  readonly crn = `X${this.serial.toString(16).toUpperCase().padStart(6, '0')}`;
  readonly nomis = `A${1000 + (this.serial % 9000)}${Math.floor(this.serial / 9000)
    .toString(16)
    .toUpperCase()
    .padStart(2, '0')}`;

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
