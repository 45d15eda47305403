import { randomUUID } from 'node:crypto';
import { nhsNumberOf, pncIdOf } from '@throughline/domain';

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
export const HEALTH = 'urn:throughline:health:treatment';

/**
 * Identifiers come from a serial, unique within the process: random ones collide once a test makes
 * thousands of journeys (the crash test does), and a second registration of one is refused.
 */
let serials = Math.floor(Math.random() * 1_000_000);
const nextSerial = (): number => serials++;

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const lettersOf = (n: number, count: number): string =>
  Array.from({ length: count }, (_, i) => LETTERS[Math.floor(n / LETTERS.length ** i) % LETTERS.length]).join(
    '',
  );

/** The first NHS number, counting up from nine digits, that has a check digit. */
const nhsNumberFrom = (start: number): string => {
  for (let body = start; ; body += 1) {
    const number = nhsNumberOf(String(body % 1e9).padStart(9, '0'));
    if (number) return number;
  }
};

/**
 * Builds one subject's journey as the agencies would publish it; unique identifiers per test, each
 * valid for its scheme. The police register the person under their PNC; each other agency links
 * its own identifier (`linked`) before naming the person by it, as only an identifier's issuer may.
 */
export class SubjectJourney {
  private readonly serial = nextSerial();
  readonly pnc = pncIdOf(2000 + (this.serial % 25), 1 + Math.floor(this.serial / 25));
  readonly crn = `${lettersOf(Math.floor(this.serial / 1e6), 1)}${String(this.serial % 1e6).padStart(6, '0')}`;
  readonly nomis = `A${1000 + (this.serial % 9000)}${lettersOf(Math.floor(this.serial / 9000), 2)}`;
  // Spread over the nine-digit range so that the next serial's number is not found first.
  readonly nhs = nhsNumberFrom(this.serial * 11);

  registered(givenName = 'Sam', familyName = 'Carter'): CloudEventBody {
    return cloudEvent(POLICE, 'iom.subject.registered.v1', `pnc:${this.pnc}`, {
      givenName,
      familyName,
      dateOfBirth: '1990-04-12',
      gender: 'male',
      identifiers: [{ scheme: 'pnc', value: this.pnc }],
    });
  }

  /** The agency's own identifier for the person, linked by the agency, naming the person by PNC. */
  linked(agency: 'probation' | 'prison' | 'health'): CloudEventBody {
    const linking: Record<typeof agency, readonly [string, string, string]> = {
      probation: [PROBATION, 'crn', this.crn],
      prison: [PRISON, 'nomis', this.nomis],
      health: [HEALTH, 'nhs', this.nhs],
    };
    const [source, scheme, value] = linking[agency];
    return cloudEvent(source, 'iom.subject.identifier-linked.v1', `pnc:${this.pnc}`, { scheme, value });
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
