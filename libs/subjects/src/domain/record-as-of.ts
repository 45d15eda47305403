import { DEFAULT_TIME_ZONE, expiryInstant, isCalendarDate, utcInstant } from '@throughline/domain';
import type { Appointment } from './subject-record';
import type { ServedRecord } from './withheld-record';

/** Appointments served in each list: the next ones to come, the latest ones awaiting an outcome. */
const APPOINTMENTS_SHOWN = 20;

/** The record as it stands at one instant, and the first instant after it at which it would say otherwise. */
export interface RecordAsOf {
  readonly record: ServedRecord;
  /** Null when nothing in the record changes with time alone. */
  readonly until: string | null;
}

/**
 * What a served record says at `now` (a UTC instant), where the truth depends on the clock and not
 * only on the events: a licence is in force through the day it ends and over from the next (days in
 * the partnership's time zone, as every date-only end is read: `expiryInstant`); an
 * appointment whose time has passed with no outcome recorded awaits its outcome and is no longer
 * upcoming; a safeguarding concern is open until it expires. Worked out at read time, so a record
 * kept between reads never goes stale; fields withheld stay withheld. An appointment or licence
 * time no reader can place changes nothing.
 */
export function recordAsOf(record: ServedRecord, now: string, timeZone = DEFAULT_TIME_ZONE): RecordAsOf {
  let until: string | null = null;
  const changesAt = (instant: string): void => {
    if (instant > now && (until === null || instant < until)) until = instant;
  };
  let custody = record.custody;
  const ends = isCalendarDate(record.supervision.licenceEnds)
    ? expiryInstant(record.supervision.licenceEnds, timeZone)
    : undefined;
  if (custody.onLicence === true && ends !== undefined) {
    if (ends <= now) custody = { ...custody, onLicence: false };
    else changesAt(ends);
  }
  let supervision = record.supervision;
  const open = supervision.upcomingAppointments;
  if (open !== null && supervision.awaitingOutcome !== null) {
    const timed = open
      .map((appointment) => ({ appointment, at: utcInstant(appointment.at) }))
      .sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
    const past: Appointment[] = [];
    const upcoming: Appointment[] = [];
    for (const { appointment, at } of timed) {
      if (at !== undefined && at <= now) past.push(appointment);
      else upcoming.push(appointment);
      if (at !== undefined) changesAt(at);
    }
    supervision = {
      ...supervision,
      upcomingAppointments: upcoming.slice(0, APPOINTMENTS_SHOWN),
      awaitingOutcome: past.slice(-APPOINTMENTS_SHOWN),
    };
  }
  let safeguardingConcerns = record.safeguardingConcerns;
  if (safeguardingConcerns !== null) {
    // Open until it expires, as sharing reads the expiry: one that names no instant has passed.
    safeguardingConcerns = safeguardingConcerns.filter((concern) => {
      const expires = expiryInstant(concern.expires, timeZone);
      changesAt(expires);
      return expires > now;
    });
  }
  return { record: { ...record, custody, supervision, safeguardingConcerns }, until };
}
