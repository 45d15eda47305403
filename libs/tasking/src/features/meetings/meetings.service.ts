import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '@throughline/audit';
import { type Principal, RoleGate } from '@throughline/auth';
import {
  CATALOGUE,
  type DataCategory,
  type EventMeta,
  isPartnershipId,
  MEETINGS_STREAM,
  type PurposeOfUse,
  subjectStream,
  timelineOf,
} from '@throughline/domain';
import { EventStore, type RecordedEvent, WrongExpectedRevisionError } from '@throughline/event-store';
import { ProblemException } from '@throughline/platform';
import { toPublishedEvent } from '@throughline/projections';
import { AgreementService, dateIn, PLATFORM_SOURCE, timeZoneOf } from '@throughline/sharing';
import { foldRecord } from '@throughline/subjects';
import {
  decideAction,
  decideClose,
  decideDecision,
  decideOpen,
  type DecisionSubject,
  evolveMeetings,
  isMeetingRefusal,
  type Meeting,
  type MeetingEvent,
  type MeetingRefusal,
  newestFirst,
} from '../../domain/meetings';

/** Who asks, and the request's id, as the audit record names them. */
export interface MeetingRequester {
  readonly principal: Principal;
  readonly requestId: string | null;
  /** The purpose stated; the agreement's role rule decides whether the role reads the meeting for it. */
  readonly purpose?: PurposeOfUse;
}

/** A decision or action recorded about a person: the event, and the audit record naming it. */
export interface MeetingDecisionRecorded {
  readonly eventId: string;
  readonly type: string;
  readonly subjectId: string;
  readonly position: number;
  readonly disclosureId: string;
}

const MEETING_GROUND =
  'Information-sharing agreement: the tasking meeting records its decisions about the cohort';

/**
 * The tasking meeting for the chair, for the API and the pages alike: meetings opened and closed on
 * the meetings stream, and the meeting's decisions and actions appended to each person's stream as
 * events the platform records in the chair's agency's name (as break-glass claims and records
 * decisions are), each decided in `domain/meetings.ts`. Every decision is put on the audit log, and
 * every refusal before it is answered.
 */
@Injectable()
export class MeetingsService {
  constructor(
    private readonly events: EventStore,
    private readonly agreements: AgreementService,
    private readonly audit: AuditService,
    private readonly roles: RoleGate,
  ) {}

  /** Every meeting, newest first. Meetings name no person, so the list is no disclosure. */
  async list(principal: Principal, purpose: PurposeOfUse = 'tasking'): Promise<Meeting[]> {
    await this.roles.require(principal, 'tasking', purpose);
    return newestFirst((await this.read()).meetings);
  }

  async get(
    principal: Principal,
    meetingId: string,
    purpose: PurposeOfUse = 'tasking',
  ): Promise<{ meeting: Meeting; meetings: Meeting[] }> {
    await this.roles.require(principal, 'tasking', purpose);
    const { meetings } = await this.read();
    const meeting = meetings.find((candidate) => candidate.meetingId === meetingId);
    if (!meeting)
      throw new ProblemException(404, 'meeting-known', 'Meeting not found', 'No meeting with this id');
    return { meeting, meetings };
  }

  /** The meetings as the stream has them, and its revision for the next append. */
  async read(): Promise<{ meetings: Meeting[]; revision: number | 'no_stream' }> {
    const stream = await this.events.readStream(MEETINGS_STREAM);
    const meetings = stream.reduce<Meeting[]>((folded, recorded) => {
      const event = meetingEvent(recorded);
      return event ? evolveMeetings(folded, event) : folded;
    }, []);
    return { meetings, revision: stream.at(-1)?.revision ?? 'no_stream' };
  }

  async open(requester: MeetingRequester, body: Readonly<Record<string, unknown>>): Promise<Meeting> {
    const { principal } = requester;
    await this.roles.require(principal, 'tasking', requester.purpose ?? 'tasking');
    const agreement = await this.agreements.current();
    const meetingId = randomUUID();
    await this.onMeetings(requester, 'iom.meeting.opened.v1', (meetings) =>
      decideOpen({ chair: principal, meetingId, body, meetings, agencies: agreement?.agencies ?? [] }),
    );
    return (await this.get(principal, meetingId)).meeting;
  }

  async close(requester: MeetingRequester, meetingId: string): Promise<Meeting> {
    await this.roles.require(requester.principal, 'tasking', requester.purpose ?? 'tasking');
    await this.onMeetings(requester, 'iom.meeting.closed.v1', (meetings) =>
      decideClose(
        meetings.find((meeting) => meeting.meetingId === meetingId),
        requester.principal,
      ),
    );
    return (await this.get(requester.principal, meetingId)).meeting;
  }

  /** A decision about a person: adopt, de-select, escalate or a band change agreed. */
  async decide(
    requester: MeetingRequester,
    meetingId: string,
    body: Readonly<Record<string, unknown>>,
  ): Promise<MeetingDecisionRecorded> {
    return this.aboutPerson(requester, meetingId, body, (meeting, subject, today) =>
      Promise.resolve(decideDecision({ meeting, chair: requester.principal, subject, body, today })),
    );
  }

  /** An action about a person: the owning agency, when it is due and what it is. */
  async assignAction(
    requester: MeetingRequester,
    meetingId: string,
    body: Readonly<Record<string, unknown>>,
  ): Promise<MeetingDecisionRecorded & { actionId: string }> {
    const agreement = await this.agreements.current();
    const actionId = `ACT-${randomUUID()}`;
    const done = await this.aboutPerson(requester, meetingId, body, (meeting, subject, today) => {
      const decided = decideAction({
        meeting,
        chair: requester.principal,
        subject,
        actionId,
        body,
        agencies: agreement?.agencies ?? [],
        today,
      });
      return Promise.resolve(
        isMeetingRefusal(decided)
          ? decided
          : { type: 'iom.tasking.action-assigned.v1' as const, data: decided },
      );
    });
    return { ...done, actionId };
  }

  /** Read the meetings stream, decide, append with the revision read (a race is decided again). */
  private async onMeetings(
    requester: MeetingRequester,
    type: 'iom.meeting.opened.v1' | 'iom.meeting.closed.v1',
    decide: (meetings: readonly Meeting[]) => MeetingEvent['data'] | MeetingRefusal,
  ): Promise<void> {
    const agreement = await this.agreements.current();
    for (let attempt = 0; ; attempt += 1) {
      const { meetings, revision } = await this.read();
      const decided = decide(meetings);
      if (isMeetingRefusal(decided))
        throw await this.refuse(requester, agreement?.version ?? null, null, decided);
      const id = randomUUID();
      try {
        await this.events.append(
          MEETINGS_STREAM,
          [{ id, type, data: decided, metadata: { ...this.meta(requester, id, type, null) } }],
          revision,
        );
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= 3) throw error;
      }
    }
  }

  /**
   * Read the person's stream and the meeting, decide, append to the person's stream with the
   * revision read, and record the decision on the audit log.
   */
  private async aboutPerson(
    requester: MeetingRequester,
    meetingId: string,
    body: Readonly<Record<string, unknown>>,
    decide: (
      meeting: Meeting | undefined,
      subject: DecisionSubject,
      today: string,
    ) => Promise<{ type: keyof typeof CATALOGUE; data: object } | MeetingRefusal>,
  ): Promise<MeetingDecisionRecorded> {
    const { principal } = requester;
    await this.roles.require(principal, 'tasking', requester.purpose ?? 'tasking');
    const agreement = await this.agreements.current();
    const version = agreement?.version ?? null;
    const rawId = typeof body.subjectId === 'string' ? body.subjectId.trim() : '';
    if (!isPartnershipId(rawId))
      throw new ProblemException(
        400,
        'invalid-subject-id',
        'Invalid subject id',
        'subjectId must be a partnership id (UUID)',
      );
    const subjectId = rawId.toLowerCase();
    const stream = subjectStream(subjectId);
    const id = randomUUID();
    for (let attempt = 0; ; attempt += 1) {
      const [{ meetings }, history] = await Promise.all([this.read(), this.events.readStream(stream)]);
      const meeting = meetings.find((candidate) => candidate.meetingId === meetingId);
      const today = dateIn(new Date(), timeZoneOf(agreement));
      const decided = await decide(meeting, subjectOf(subjectId, history), today);
      if (isMeetingRefusal(decided)) throw await this.refuse(requester, version, subjectId, decided);
      try {
        const appended = await this.events.append(
          stream,
          [
            {
              id,
              type: decided.type,
              data: decided.data,
              metadata: { ...this.meta(requester, id, decided.type, subjectId) },
            },
          ],
          history.at(-1)!.revision,
        );
        const position = appended.events[0]?.position ?? 0;
        const record = await this.audit.record({
          requestId: requester.requestId,
          principal: {
            kind: principal.kind,
            user: principal.id,
            agency: principal.agency,
            role: principal.role,
          },
          action: 'tasking.decision',
          outcome: 'decided',
          purpose: 'tasking',
          agreementVersion: version,
          // Pseudonymised as every record: the decision by its event and category, never its text.
          subjects: [
            {
              subjectId,
              grounds: [
                {
                  rule: decided.type,
                  basis: 'meeting-decision',
                  clause: 'taskingMeeting',
                  legalBasis: MEETING_GROUND,
                  reliedOn: id,
                  categories: ['cohort'],
                },
              ],
              fields: {},
              positions: [position],
            },
          ],
          refusal: null,
        });
        return { eventId: id, type: decided.type, subjectId, position, disclosureId: record.content.id };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= 3) throw error;
      }
    }
  }

  private meta(
    requester: MeetingRequester,
    id: string,
    type: keyof typeof CATALOGUE,
    subjectId: string | null,
  ): EventMeta {
    return {
      agency: requester.principal.agency,
      source: PLATFORM_SOURCE,
      ceId: id,
      time: new Date().toISOString(),
      subjectRef: subjectId ?? MEETINGS_STREAM,
      publishedBy: requester.principal.id,
      category: CATALOGUE[type].category as DataCategory,
      ...(requester.requestId ? { requestId: requester.requestId } : {}),
    };
  }

  private async refuse(
    requester: MeetingRequester,
    agreementVersion: string | null,
    subjectId: string | null,
    refusal: MeetingRefusal,
  ): Promise<ProblemException> {
    const { principal } = requester;
    const record = await this.audit.record({
      requestId: requester.requestId,
      principal: { kind: principal.kind, user: principal.id, agency: principal.agency, role: principal.role },
      action: 'tasking.decision',
      outcome: 'refused',
      purpose: 'tasking',
      agreementVersion,
      subjects: [],
      refusal: { status: refusal.status, reason: refusal.title, subjectId, rule: refusal.rule, clause: null },
    });
    return new ProblemException(refusal.status, refusal.rule, refusal.title, refusal.detail, {
      rule: refusal.rule,
      clause: null,
      disclosureId: record.content.id,
    });
  }
}

function meetingEvent(recorded: RecordedEvent): MeetingEvent | undefined {
  const { agency, time } = recorded.metadata as Partial<Record<'agency' | 'time', string>>;
  if (recorded.type !== 'iom.meeting.opened.v1' && recorded.type !== 'iom.meeting.closed.v1')
    return undefined;
  return {
    type: recorded.type,
    data: recorded.data,
    agency: agency ?? '',
    time: time ?? recorded.recordedAt.toISOString(),
  } as MeetingEvent;
}

/** Whether the person is on the record, and where they stand with the cohort. */
function subjectOf(subjectId: string, history: readonly RecordedEvent[]): DecisionSubject {
  if (history.length === 0) return { known: false, cohortStatus: null };
  const timeline = timelineOf(
    history.flatMap((recorded) => {
      const event = toPublishedEvent(recorded);
      return event ? [event] : [];
    }),
  );
  return { known: true, cohortStatus: foldRecord(subjectId, timeline).cohort.status };
}
