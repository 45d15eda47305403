import { recordAsOf } from './record-as-of';
import { emptyRecord, type SubjectRecord } from './subject-record';
import type { ServedRecord } from './withheld-record';

const appointment = (appointmentId: string, at: string) => ({
  appointmentId,
  with: 'probation',
  purpose: 'Supervision',
  at,
});

/** A record served whole (nothing withheld), with these custody and supervision facts. */
function served(
  custody: Partial<SubjectRecord['custody']>,
  supervision: Partial<SubjectRecord['supervision']>,
  withheld: Record<string, string> = {},
): ServedRecord {
  const record = emptyRecord('s-as-of');
  return {
    ...record,
    custody: { ...record.custody, ...custody },
    supervision: { ...record.supervision, ...supervision },
    bases: {},
    withheld,
  } as unknown as ServedRecord;
}

describe('recordAsOf', () => {
  const licence = served({ status: 'in-community', onLicence: true }, { licenceEnds: '2026-03-31' });

  // 31 March 2026 is in British Summer Time: the day ends in London at 23:00 UTC.
  it('keeps a licence in force through the day it ends, and says when that changes', () => {
    const { record, until } = recordAsOf(licence, '2026-03-31T22:59:59.000Z');
    expect(record.custody.onLicence).toBe(true);
    expect(until).toBe('2026-03-31T23:00:00.000Z');
  });

  it('says the licence is over from the day after it ends', () => {
    const { record, until } = recordAsOf(licence, '2026-03-31T23:00:00.000Z');
    expect(record.custody.onLicence).toBe(false);
    expect(until).toBeNull();
  });

  it('reads the last day of a licence in the time zone it is given', () => {
    expect(recordAsOf(licence, '2026-03-31T23:30:00.000Z', 'UTC').record.custody.onLicence).toBe(true);
  });

  it('leaves a withheld licence withheld, whatever the date', () => {
    const withheld = served({ onLicence: null as unknown as boolean }, { licenceEnds: '2026-03-31' });
    expect(recordAsOf(withheld, '2027-01-01T00:00:00.000Z').record.custody.onLicence).toBeNull();
  });

  it('leaves a licence with no readable end as it was released', () => {
    const noEnd = served({ onLicence: true }, { licenceEnds: '2026-02-30' });
    expect(recordAsOf(noEnd, '2027-01-01T00:00:00.000Z').record.custody.onLicence).toBe(true);
  });

  it('moves an appointment never closed from upcoming to awaiting an outcome once its time passes', () => {
    const record = served(
      {},
      {
        upcomingAppointments: [
          appointment('old', '2026-01-05T10:00:00Z'),
          appointment('next', '2026-03-02T10:00:00+01:00'),
          appointment('later', '2026-04-01T10:00:00Z'),
        ],
      },
    );
    const now = recordAsOf(record, '2026-03-01T12:00:00.000Z');
    expect(now.record.supervision.upcomingAppointments?.map((a) => a.appointmentId)).toEqual([
      'next',
      'later',
    ]);
    expect(now.record.supervision.awaitingOutcome?.map((a) => a.appointmentId)).toEqual(['old']);
    // The next appointment's time, as an instant: from then it awaits its outcome too.
    expect(now.until).toBe('2026-03-02T09:00:00.000Z');
    const after = recordAsOf(record, now.until!);
    expect(after.record.supervision.awaitingOutcome?.map((a) => a.appointmentId)).toEqual(['old', 'next']);
  });

  it('leaves withheld appointments withheld', () => {
    const record = served({}, { upcomingAppointments: null, awaitingOutcome: null } as never);
    const { supervision } = recordAsOf(record, '2026-03-01T12:00:00.000Z').record;
    expect(supervision.upcomingAppointments).toBeNull();
    expect(supervision.awaitingOutcome).toBeNull();
  });
});

describe('recordAsOf: safeguarding concerns', () => {
  const concern = (concernId: string, expires: string) => ({
    concernId,
    kind: 'child',
    expires,
    raisedAt: '2026-01-01T00:00:00Z',
  });

  it('shows a concern open until it expires, and says when it does', () => {
    const record = {
      ...served({}, {}),
      safeguardingConcerns: [concern('c-1', '2026-03-01'), concern('c-2', '2026-06-01T12:00:00+01:00')],
    };
    // A date-only expiry lasts to the end of that day in London (GMT in March).
    const before = recordAsOf(record, '2026-03-01T23:59:59.000Z');
    expect(before.record.safeguardingConcerns?.map((c) => c.concernId)).toEqual(['c-1', 'c-2']);
    expect(before.until).toBe('2026-03-02T00:00:00.000Z');
    const after = recordAsOf(record, '2026-03-02T00:00:00.000Z');
    expect(after.record.safeguardingConcerns?.map((c) => c.concernId)).toEqual(['c-2']);
    expect(after.until).toBe('2026-06-01T11:00:00.000Z');
  });

  it('treats a concern whose expiry names no instant as expired, as sharing does', () => {
    const record = { ...served({}, {}), safeguardingConcerns: [concern('c-1', '2026-02-30')] };
    expect(recordAsOf(record, '2026-01-02T00:00:00.000Z').record.safeguardingConcerns).toEqual([]);
  });
});
