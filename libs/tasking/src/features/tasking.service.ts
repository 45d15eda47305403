import { Injectable } from '@nestjs/common';
import { LONG_AGO, utcInstant } from '@throughline/domain';
import { AgreementService, restrictionAllows, timeZoneOf } from '@throughline/sharing';
import { foldRecord, type SubjectDoc, SubjectDocs, type SubjectRecord } from '@throughline/subjects';
import type { Referral } from '../domain/agenda';
import { type BoardChange, type BoardRow, boardRow, changesBetween } from '../domain/board';
import { minutesOf, type MinutesPerson } from '../domain/minutes';
import { type ReleasedDetail, releasedDetail } from '../domain/releases';

export interface BoardEntry extends BoardRow {
  /** Detail the owning agencies have released to the meeting, while each release is live. */
  readonly released: readonly ReleasedDetail[];
  /** Present with `?since=`: what changed on this row since then. */
  readonly changes?: readonly BoardChange[];
}

/** The board's rows, and how many subjects it leaves out because their record is held back. */
export interface Board {
  readonly rows: readonly BoardEntry[];
  readonly heldBack: number;
}

export interface Deselection {
  readonly subjectId: string;
  readonly name: string | null;
  readonly cohortClass: string | null;
  readonly reason: string;
  readonly at: string;
  readonly note?: string;
}

/**
 * The tasking meeting's consolidated view: flags folded from every agency's events. The meeting sees
 * the flags; the events behind them only where the agency that published them has released them to
 * the meeting. Read through the board queries, which ask the agreement's role rule first.
 */
@Injectable()
export class TaskingService {
  /**
   * Each served document's timeline as the meeting may use it, and the record folded from it. A
   * document is the same object until the projection writes a newer version (SubjectDocs), so the
   * board, the register and the minutes fold each version once between them, not once per read.
   * Held weakly: it costs no memory the documents do not. `enabled = false` folds afresh each time.
   */
  readonly folded = new FoldedForTasking();

  constructor(
    private readonly subjectDocs: SubjectDocs,
    private readonly agreements: AgreementService,
  ) {}

  /**
   * The board; a subject held back, or whose row cannot be worked out, is left out and counted.
   * With `since`, only the rows that changed, unless `everyRow` (the agenda reads them all).
   */
  async board(since: string | undefined, now = new Date(), everyRow = false): Promise<Board> {
    const nowIso = now.toISOString();
    const [{ docs, heldBack }, agreement] = await Promise.all([
      this.subjectDocs.servable(),
      this.agreements.current(),
    ]);
    const timeZone = timeZoneOf(agreement);
    const rows: BoardEntry[] = [];
    let unfoldable = 0;
    for (const doc of docs) {
      try {
        const row = boardEntry(this.folded.of(doc), since, nowIso, timeZone, everyRow);
        if (row) rows.push(row);
      } catch {
        // Stored data no check foresaw: this row alone is left out, never the whole board.
        unfoldable += 1;
      }
    }
    rows.sort((a, b) => bandRank(b.band) - bandRank(a.band) || (a.name ?? '').localeCompare(b.name ?? ''));
    return { rows, heldBack: heldBack + unfoldable };
  }

  /** Each person the meeting decided or set an action about, as the meeting may see them. */
  async minutes(meetingId: string): Promise<MinutesPerson[]> {
    const { docs } = await this.subjectDocs.servable();
    return docs.flatMap((doc) => {
      try {
        const { timeline, record } = this.folded.of(doc);
        const name = record.identity ? `${record.identity.givenName} ${record.identity.familyName}` : null;
        const person = minutesOf(meetingId, doc.subjectId, name, timeline);
        return person ? [person] : [];
      } catch {
        return [];
      }
    });
  }

  /** Everyone referred to the scheme and not yet adopted, as the meeting may see them: who and when, never why. */
  async referrals(): Promise<Referral[]> {
    const { docs } = await this.subjectDocs.servable();
    return docs.flatMap((doc) => {
      try {
        const { record, timeline } = this.folded.of(doc);
        if (record.cohort.status !== 'referred' || record.cohort.referredAt === null) return [];
        const referral = timeline.findLast((entry) => entry.type === 'iom.referral.received.v1');
        const referredBy = (referral?.data as { referredBy?: unknown } | undefined)?.referredBy;
        return [
          {
            subjectId: record.subjectId,
            name: record.identity ? `${record.identity.givenName} ${record.identity.familyName}` : null,
            band: record.cohort.band,
            referredAt: record.cohort.referredAt,
            referredBy: typeof referredBy === 'string' ? referredBy : null,
          },
        ];
      } catch {
        return [];
      }
    });
  }

  async deselections(): Promise<Deselection[]> {
    const { docs } = await this.subjectDocs.servable();
    return docs
      .flatMap((doc) => {
        try {
          return [this.folded.of(doc).record];
        } catch {
          return [];
        }
      })
      .filter((record) => record.cohort.status === 'deselected' && record.cohort.deselection)
      .map((record) => ({
        subjectId: record.subjectId,
        name: record.identity ? `${record.identity.givenName} ${record.identity.familyName}` : null,
        cohortClass: record.cohort.cohortClass,
        ...record.cohort.deselection!,
      }))
      .sort((a, b) => b.at.localeCompare(a.at));
  }
}

/**
 * The subject's timeline less what a restriction keeps from the tasking purpose (DPA 2018 s.47):
 * the board's flags and released detail are folded without it, as every read is cut without it.
 */
const usableForTasking = (doc: SubjectDoc): SubjectDoc['timeline'] =>
  Object.keys(doc.sharing.restrictions ?? {}).length === 0
    ? doc.timeline
    : doc.timeline.filter((entry) =>
        restrictionAllows(doc.sharing, entry.meta.agency, entry.meta.category, 'tasking'),
      );

/** A document's timeline as the meeting may use it, and the record folded from it. */
interface Folded {
  readonly subjectId: string;
  readonly timeline: SubjectDoc['timeline'];
  readonly record: SubjectRecord;
  /** The board row as it stood at an earlier instant, by that instant (the last few asked for). */
  readonly before: Map<string, BoardRow | null>;
}

class FoldedForTasking {
  enabled = true;
  private byDoc = new WeakMap<SubjectDoc, Folded>();

  of(doc: SubjectDoc): Folded {
    const known = this.enabled ? this.byDoc.get(doc) : undefined;
    if (known) return known;
    const timeline = usableForTasking(doc);
    const folded = {
      subjectId: doc.subjectId,
      timeline,
      record: foldRecord(doc.subjectId, timeline),
      before: new Map<string, BoardRow | null>(),
    };
    if (this.enabled) this.byDoc.set(doc, folded);
    return folded;
  }
}

/** One subject's board row, or null when it is not on the board (or, with `since`, has not changed). */
function boardEntry(
  { subjectId, timeline, record, before: rowsBefore }: Folded,
  since: string | undefined,
  nowIso: string,
  timeZone: string,
  everyRow: boolean,
): BoardEntry | null {
  if (record.cohort.status !== 'adopted') return null;
  const row = { ...boardRow(record, nowIso), released: releasedDetail(timeline, nowIso, timeZone) };
  if (since === undefined) return row;
  // Compared as instants, not as text: a time sent with an offset or a fraction sorts apart from
  // the same instant in UTC.
  let before = rowsBefore.get(since);
  if (before === undefined) {
    const earlier = timeline.filter((entry) => (utcInstant(entry.meta.time) ?? LONG_AGO) <= since);
    before = earlier.length > 0 ? boardRow(foldRecord(subjectId, earlier), since) : null;
    // The last meeting's close and a date or two typed on the board: a few, never a growing list.
    if (rowsBefore.size >= 4) rowsBefore.clear();
    rowsBefore.set(since, before);
  }
  const changes = changesBetween(before, row);
  return changes.length > 0 ? { ...row, changes } : everyRow ? row : null;
}

const bandRank = (band: string | null): number =>
  band === 'red' ? 3 : band === 'amber' ? 2 : band === 'green' ? 1 : 0;
