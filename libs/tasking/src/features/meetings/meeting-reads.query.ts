import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AgreementService, dateIn, timeZoneOf } from '@throughline/sharing';
import { type Audited, AuditedRead, type Reader } from '@throughline/subjects';
import { type Agenda, agendaPeople, buildAgenda, inMeetingCohort } from '../../domain/agenda';
import { BOARD_FIELDS, flagsDisclosure } from '../../domain/disclosure';
import { type Meeting, previousMeeting } from '../../domain/meetings';
import { type Minutes, minutesDisclosure } from '../../domain/minutes';
import { TaskingService } from '../tasking.service';
import { MeetingsService } from './meetings.service';

/** A meeting's agenda, built from the board for its cohort. */
export class ReadAgendaQuery {
  constructor(
    readonly reader: Reader,
    readonly meetingId: string,
  ) {}
}

export interface AgendaRead {
  readonly meeting: Meeting;
  readonly agenda: Agenda;
  readonly today: string;
  /** Subjects of the cohort left out because their record is held back pending repair. */
  readonly heldBack: number;
}

/** A meeting's minutes: its date, chair, agencies present, decisions and actions. */
export class ReadMinutesQuery {
  constructor(
    readonly reader: Reader,
    readonly meetingId: string,
  ) {}
}

/**
 * The agenda is the board cut to the meeting's cohort and read through the one audited read, on
 * the board's own rule and purpose: flags only (what the meeting sees of everyone), and a
 * disclosure record naming each person the agenda names, with the board's flag fields.
 */
@QueryHandler(ReadAgendaQuery)
export class ReadAgendaHandler implements IQueryHandler<ReadAgendaQuery, Audited<AgendaRead>> {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly tasking: TaskingService,
    private readonly agreements: AgreementService,
    private readonly audited: AuditedRead,
  ) {}

  execute({ reader, meetingId }: ReadAgendaQuery): Promise<Audited<AgendaRead>> {
    return this.audited.run(reader, 'tasking.agenda', 'tasking', async () => {
      const { meeting, meetings } = await this.meetings.get(reader.principal, meetingId, reader.purpose);
      const agreement = await this.agreements.current();
      const now = new Date();
      const today = dateIn(now, timeZoneOf(agreement));
      const previous = previousMeeting(meetings, meeting);
      const [board, referrals] = await Promise.all([
        this.tasking.board(previous?.closedAt ?? undefined, now, true),
        this.tasking.referrals(),
      ]);
      const agenda = buildAgenda({ rows: inMeetingCohort(meeting, board.rows), previous, today, referrals });
      return {
        result: { meeting, agenda, today, heldBack: board.heldBack },
        subjects: agendaPeople(agenda).map(({ subjectId }) => flagsDisclosure(BOARD_FIELDS)({ subjectId })),
        agreementVersion: agreement?.version ?? null,
      };
    });
  }
}

/**
 * The minutes, read through the one audited read: a record naming each person the minutes name,
 * with the decision and action fields shown and the events they came from, so a subject access
 * export gives each person their own entry and nothing of anyone else's.
 */
@QueryHandler(ReadMinutesQuery)
export class ReadMinutesHandler implements IQueryHandler<ReadMinutesQuery, Audited<Minutes>> {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly tasking: TaskingService,
    private readonly agreements: AgreementService,
    private readonly audited: AuditedRead,
  ) {}

  execute({ reader, meetingId }: ReadMinutesQuery): Promise<Audited<Minutes>> {
    return this.audited.run(reader, 'tasking.minutes', 'tasking', async () => {
      const { meeting } = await this.meetings.get(reader.principal, meetingId, reader.purpose);
      const agreement = await this.agreements.current();
      const people = (await this.tasking.minutes(meetingId)).sort((a, b) =>
        (a.name ?? '').localeCompare(b.name ?? ''),
      );
      return {
        result: { meeting, final: meeting.closedAt !== null, people },
        subjects: people.map(minutesDisclosure),
        agreementVersion: agreement?.version ?? null,
      };
    });
  }
}
