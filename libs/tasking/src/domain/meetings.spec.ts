import type { TimelineEntry } from '@throughline/domain';
import { agendaPeople, buildAgenda, inMeetingCohort, type AgendaRow } from './agenda';
import {
  decideAction,
  decideClose,
  decideDecision,
  decideOpen,
  evolveMeetings,
  type Meeting,
  type MeetingEvent,
  previousMeeting,
} from './meetings';
import { minutesDisclosure, minutesMarkdown, minutesOf } from './minutes';

const CHAIR = { id: 'chair-01', agency: 'police' };
const AGENCIES = ['police', 'probation', 'prison', 'health', 'housing', 'voluntary'];
const M1 = '11111111-1111-4111-8111-111111111111';
const M2 = '22222222-2222-4222-8222-222222222222';
const SUBJECT = '33333333-3333-4333-8333-333333333333';

const opened = (meetingId: string, date: string, time: string): MeetingEvent => ({
  type: 'iom.meeting.opened.v1',
  data: { meetingId, date, chair: CHAIR.id, agenciesPresent: ['police', 'probation'], cohortClasses: [] },
  agency: CHAIR.agency,
  time,
});
const closed = (meetingId: string, time: string): MeetingEvent => ({
  type: 'iom.meeting.closed.v1',
  data: { meetingId, closedBy: CHAIR.id },
  agency: CHAIR.agency,
  time,
});

/** Given the meetings stream's events, the meetings folded from them. */
const given = (...events: MeetingEvent[]): Meeting[] => events.reduce<Meeting[]>(evolveMeetings, []);

const ON_COHORT = { known: true, cohortStatus: 'adopted' as const };

describe('opening a meeting', () => {
  it('records the date, the chair, the agencies present (the chair’s among them) and the cohort', () => {
    const decided = decideOpen({
      chair: CHAIR,
      meetingId: M1,
      body: { date: '2026-12-01', agenciesPresent: ['probation', 'health'], cohortClasses: ['PPO'] },
      meetings: [],
      agencies: AGENCIES,
    });
    expect(decided).toEqual({
      meetingId: M1,
      date: '2026-12-01',
      chair: 'chair-01',
      agenciesPresent: ['health', 'police', 'probation'],
      cohortClasses: ['PPO'],
    });
  });

  it.each([
    [{ date: '2026-02-30', agenciesPresent: ['police'], cohortClasses: [] }, 'meeting-date'],
    [{ date: '2026-12-01', agenciesPresent: ['fire'], cohortClasses: [] }, 'meeting-agencies'],
    [{ date: '2026-12-01', agenciesPresent: { police: true }, cohortClasses: [] }, 'meeting-agencies'],
    [{ date: '2026-12-01', agenciesPresent: ['police'], cohortClasses: ['VIP'] }, 'meeting-cohort'],
  ])('refuses %j under %s', (body, rule) => {
    const decided = decideOpen({ chair: CHAIR, meetingId: M1, body, meetings: [], agencies: AGENCIES });
    expect(decided).toMatchObject({ refused: true, status: 422, rule });
  });

  it('refuses a second meeting while one is open', () => {
    const meetings = given(opened(M1, '2026-12-01', '2026-12-01T10:00:00Z'));
    const decided = decideOpen({
      chair: CHAIR,
      meetingId: M2,
      body: { date: '2026-12-02', agenciesPresent: 'police' },
      meetings,
      agencies: AGENCIES,
    });
    expect(decided).toMatchObject({ status: 409, rule: 'meeting-open' });
  });
});

describe('closing a meeting', () => {
  it('is the chair’s, once', () => {
    const meetings = given(opened(M1, '2026-12-01', '2026-12-01T10:00:00Z'));
    expect(decideClose(meetings[0], CHAIR)).toEqual({ meetingId: M1, closedBy: 'chair-01' });
    expect(decideClose(meetings[0], { id: 'chair-02', agency: 'police' })).toMatchObject({
      status: 403,
      rule: 'meeting-chair',
    });
    const after = given(opened(M1, '2026-12-01', '2026-12-01T10:00:00Z'), closed(M1, '2026-12-01T11:00:00Z'));
    expect(decideClose(after[0], CHAIR)).toMatchObject({ status: 409, rule: 'meeting-closed' });
    expect(decideClose(undefined, CHAIR)).toMatchObject({ status: 404, rule: 'meeting-known' });
  });
});

describe('the previous meeting', () => {
  it('is the latest one closed before this one, read from the log; none for the first', () => {
    const meetings = given(
      opened(M1, '2026-11-03', '2026-11-03T10:00:00Z'),
      closed(M1, '2026-11-03T11:30:00Z'),
      opened(M2, '2026-12-01', '2026-12-01T10:00:00Z'),
    );
    expect(previousMeeting(meetings, meetings[1]!)?.closedAt).toBe('2026-11-03T11:30:00Z');
    expect(previousMeeting(meetings, meetings[0]!)).toBeNull();
  });
});

describe('a decision about a person', () => {
  const open = given(opened(M1, '2026-12-01', '2026-12-01T10:00:00Z'))[0];

  it('adopts with the cohort event, naming the meeting', () => {
    const decided = decideDecision({
      meeting: open,
      chair: CHAIR,
      subject: { known: true, cohortStatus: 'referred' },
      body: {
        decision: 'adopt',
        cohortClass: 'PPO',
        category: '2',
        statutory: 'true',
        reviewDue: '2027-03-01',
      },
      today: '2026-12-01',
    });
    expect(decided).toEqual({
      type: 'iom.cohort.adopted.v1',
      data: { cohortClass: 'PPO', category: 2, statutory: true, reviewDue: '2027-03-01', meeting: M1 },
    });
  });

  it('de-selects with a reason, and records an escalation or agreed band as the meeting’s own decision', () => {
    expect(
      decideDecision({
        meeting: open,
        chair: CHAIR,
        subject: ON_COHORT,
        body: { decision: 'deselect', reason: 'progress', note: ' Settled, working ' },
        today: '2026-12-01',
      }),
    ).toEqual({
      type: 'iom.cohort.deselected.v1',
      data: { reason: 'progress', note: 'Settled, working', meeting: M1 },
    });
    expect(
      decideDecision({
        meeting: open,
        chair: CHAIR,
        subject: ON_COHORT,
        body: { decision: 'band-change', band: 'red', reason: 'Three burglaries' },
        today: '2026-12-01',
      }),
    ).toEqual({
      type: 'iom.tasking.decision-recorded.v1',
      data: { meeting: M1, decision: 'band-change', band: 'red', reason: 'Three burglaries' },
    });
  });

  it.each([
    [{ decision: 'promote' }, 422, 'meeting-decision'],
    [{ decision: 'deselect', reason: 'bored' }, 422, 'meeting-decision-field'],
    [{ decision: 'band-change', band: 'purple', reason: 'x' }, 422, 'meeting-decision-field'],
    [{ decision: 'escalate', reason: '   ' }, 422, 'meeting-decision-field'],
    [
      { decision: 'adopt', cohortClass: 'PPO', category: 2, statutory: true, reviewDue: '2026-12-01' },
      422,
      'meeting-decision-field',
    ],
  ])('refuses %j with %i %s', (body, status, rule) => {
    const subject =
      body.decision === 'adopt' ? { known: true, cohortStatus: 'referred' as const } : ON_COHORT;
    expect(decideDecision({ meeting: open, chair: CHAIR, subject, body, today: '2026-12-01' })).toMatchObject(
      {
        status,
        rule,
      },
    );
  });

  it('is refused to a chair whose agency may not publish the event, off the cohort, or out of an open meeting', () => {
    const prisonChaired = given({ ...opened(M1, '2026-12-01', '2026-12-01T10:00:00Z'), agency: 'prison' })[0];
    const prisonChair = { id: CHAIR.id, agency: 'prison' };
    expect(
      decideDecision({
        meeting: prisonChaired,
        chair: prisonChair,
        subject: ON_COHORT,
        body: { decision: 'deselect', reason: 'moved' },
        today: '2026-12-01',
      }),
    ).toMatchObject({ status: 403, rule: 'meeting-decision-publisher' });
    expect(
      decideDecision({
        meeting: open,
        chair: CHAIR,
        subject: { known: true, cohortStatus: 'deselected' },
        body: { decision: 'escalate', reason: 'MARAC' },
        today: '2026-12-01',
      }),
    ).toMatchObject({ status: 409, rule: 'meeting-subject-on-cohort' });
    expect(
      decideDecision({
        meeting: open,
        chair: CHAIR,
        subject: { known: false, cohortStatus: null },
        body: { decision: 'escalate', reason: 'MARAC' },
        today: '2026-12-01',
      }),
    ).toMatchObject({ status: 404, rule: 'meeting-subject-known' });
  });
});

describe('an action', () => {
  const open = given(opened(M1, '2026-12-01', '2026-12-01T10:00:00Z'))[0];
  const decide = (body: Record<string, unknown>) =>
    decideAction({
      meeting: open,
      chair: CHAIR,
      subject: ON_COHORT,
      actionId: 'ACT-1',
      body,
      agencies: AGENCIES,
      today: '2026-12-01',
    });

  it('names the meeting, the owning agency, the due date and the text', () => {
    expect(decide({ ownerAgency: 'housing', due: '2026-12-15', text: ' Find a hostel place ' })).toEqual({
      actionId: 'ACT-1',
      meeting: M1,
      ownerAgency: 'housing',
      due: '2026-12-15',
      text: 'Find a hostel place',
    });
  });

  it.each([
    [{ ownerAgency: 'fire', due: '2026-12-15', text: 'x' }, 'meeting-action-owner'],
    [{ ownerAgency: 'housing', due: '2026-11-30', text: 'x' }, 'meeting-action-due'],
    [{ ownerAgency: 'housing', due: '2026-12-15', text: '' }, 'meeting-action-text'],
  ])('refuses %j under %s', (body, rule) => {
    expect(decide(body)).toMatchObject({ status: 422, rule });
  });
});

const row = (subjectId: string, over: Partial<AgendaRow> = {}): AgendaRow => ({
  subjectId,
  name: `Person ${subjectId}`,
  band: 'amber',
  trend: 'steady',
  bandHistory: [],
  cohortClass: 'PPO',
  category: 2,
  inCustody: false,
  releaseDate: null,
  wanted: false,
  openNeeds: [],
  keyWorkers: [],
  actions: [],
  overdueActions: 0,
  reviewDue: null,
  reviewOverdue: false,
  ...over,
});

describe('the agenda', () => {
  const previous = given(
    opened(M1, '2026-11-03', '2026-11-03T10:00:00Z'),
    closed(M1, '2026-11-03T11:30:00Z'),
  )[0]!;

  it('lists who changed since the previous meeting, reviews and releases in the next 28 days and overdue actions', () => {
    const agenda = buildAgenda({
      previous,
      today: '2026-12-01',
      rows: [
        row('a', { changes: [{ flag: 'wanted', before: false, after: true }] }),
        row('b', { reviewDue: '2026-11-20' }),
        row('c', { reviewDue: '2026-12-29' }),
        row('d', { reviewDue: '2026-12-30', inCustody: true, releaseDate: '2026-12-20' }),
        row('e', { inCustody: true, releaseDate: '2027-01-15' }),
        row('f', {
          actions: [
            { actionId: 'A1', ownerAgency: 'housing', due: '2026-11-25', text: 'Hostel', overdue: true },
          ],
          overdueActions: 1,
        }),
      ],
    });
    expect(agenda.previous).toEqual({ meetingId: M1, date: '2026-11-03', closedAt: '2026-11-03T11:30:00Z' });
    expect(agenda.changed?.map((p) => p.subjectId)).toEqual(['a']);
    expect(agenda.dueForReview.map((p) => [p.subjectId, p.overdue])).toEqual([
      ['b', true],
      ['c', false],
    ]);
    expect(agenda.releases.map((p) => p.subjectId)).toEqual(['d']);
    expect(agenda.overdueActions).toEqual([
      expect.objectContaining({ subjectId: 'f', actionId: 'A1', ownerAgency: 'housing' }),
    ]);
  });

  it('summarises band movement since the previous meeting', () => {
    const agenda = buildAgenda({
      previous,
      today: '2026-12-01',
      rows: [
        row('up', {
          band: 'red',
          bandHistory: [
            { band: 'amber', at: '2026-10-01T00:00:00Z' },
            { band: 'red', at: '2026-11-20T00:00:00Z' },
          ],
        }),
        row('down', {
          band: 'green',
          bandHistory: [
            { band: 'amber', at: '2026-09-01T00:00:00Z' },
            { band: 'green', at: '2026-11-10T00:00:00Z' },
          ],
        }),
        row('same', { band: 'amber', bandHistory: [{ band: 'amber', at: '2026-01-01T00:00:00Z' }] }),
      ],
    });
    expect(agenda.bandMovement.before).toEqual({ red: 0, amber: 3, green: 0, none: 0 });
    expect(agenda.bandMovement.now).toEqual({ red: 1, amber: 1, green: 1, none: 0 });
    expect([agenda.bandMovement.rose, agenda.bandMovement.fell]).toEqual([1, 1]);
    expect(agenda.bandMovement.movers.map((m) => [m.subjectId, m.from, m.to])).toEqual([
      ['down', 'amber', 'green'],
      ['up', 'amber', 'red'],
    ]);
  });

  it('lists referrals awaiting a decision oldest first, and names them among the people the chair may decide about', () => {
    const referral = (subjectId: string, referredAt: string) => ({
      subjectId,
      name: `Person ${subjectId}`,
      band: null,
      referredAt,
      referredBy: 'probation',
    });
    const agenda = buildAgenda({
      previous,
      today: '2026-12-01',
      rows: [row('a', { changes: [{ flag: 'wanted', before: false, after: true }] })],
      referrals: [referral('late', '2026-11-28T09:00:00Z'), referral('early', '2026-10-02T09:00:00Z')],
    });
    expect(agenda.referrals.map((p) => p.subjectId)).toEqual(['early', 'late']);
    expect(agendaPeople(agenda).map((p) => p.subjectId)).toEqual(['a', 'early', 'late']);
    expect(buildAgenda({ previous, today: '2026-12-01', rows: [] }).referrals).toEqual([]);
  });

  it('has no changes to count without a previous meeting, and covers only the meeting’s cohort classes', () => {
    const agenda = buildAgenda({ previous: null, today: '2026-12-01', rows: [row('a')] });
    expect(agenda.changed).toBeNull();
    expect(agenda.bandMovement.before).toBeNull();
    const rows = [row('ppo'), row('target', { cohortClass: 'target' })];
    expect(inMeetingCohort({ cohortClasses: ['target'] }, rows).map((r) => r.subjectId)).toEqual(['target']);
    expect(inMeetingCohort({ cohortClasses: [] }, rows)).toHaveLength(2);
  });
});

let position = 0;
const entry = (type: string, data: Record<string, unknown>, marks: object = {}): TimelineEntry =>
  ({
    id: `e${++position}`,
    type,
    data,
    subjectId: SUBJECT,
    position,
    revision: position,
    meta: {
      agency: 'police',
      source: 'urn:throughline:platform',
      ceId: `c${position}`,
      time: `2026-12-01T10:0${position % 10}:00Z`,
      subjectRef: SUBJECT,
      publishedBy: 'chair-01',
      category: 'cohort',
    },
    ...marks,
  }) as unknown as TimelineEntry;

describe('the minutes', () => {
  it('hold the meeting’s decisions and actions about a person, and only that meeting’s', () => {
    const timeline = [
      entry('iom.cohort.deselected.v1', { reason: 'moved', meeting: M2 }),
      entry('iom.tasking.decision-recorded.v1', {
        meeting: M1,
        decision: 'escalate',
        reason: 'Refer to MARAC',
      }),
      entry('iom.tasking.action-assigned.v1', {
        actionId: 'A1',
        meeting: M1,
        ownerAgency: 'housing',
        due: '2026-12-10',
        text: 'Hostel',
      }),
      entry('iom.tasking.action-completed.v1', { actionId: 'A1' }),
      entry(
        'iom.tasking.decision-recorded.v1',
        { meeting: M1, decision: 'band-change', band: 'red', reason: 'x' },
        { redactedBy: { eventId: 'r', at: '2026-12-02T00:00:00Z' } },
      ),
    ];
    const person = minutesOf(M1, SUBJECT, 'Dan Cole', timeline)!;
    expect(person.decisions).toEqual([
      expect.objectContaining({ kind: 'escalate', reason: 'Refer to MARAC' }),
    ]);
    expect(person.actions).toEqual([expect.objectContaining({ actionId: 'A1', completed: true })]);
    expect(person.positions).toHaveLength(2);
    expect(minutesOf('44444444-4444-4444-8444-444444444444', SUBJECT, 'Dan Cole', timeline)).toBeNull();
    const disclosed = minutesDisclosure(person);
    expect(disclosed.subjectId).toBe(SUBJECT);
    expect(disclosed.grounds[0]).toMatchObject({ rule: 'tasking-meeting', clause: 'taskingMeeting' });
    expect(disclosed.positions).toEqual(person.positions);
  });

  it('read as Markdown in which text from events is never markup', () => {
    const meeting = given(opened(M1, '2026-12-01', '2026-12-01T10:00:00Z'))[0]!;
    const text = minutesMarkdown({
      meeting,
      final: false,
      people: [
        {
          subjectId: SUBJECT,
          name: '[Dan](http://x) *Cole*',
          decisions: [{ kind: 'escalate', reason: 'MARAC | now', at: '2026-12-01T10:00:00Z' }],
          actions: [],
          positions: [1],
        },
      ],
    });
    expect(text).toContain('# Tasking meeting minutes: 2026-12-01 (draft: the meeting is open)');
    expect(text).toContain('- Agencies present: police, probation');
    expect(text).toContain('\\[Dan\\]\\(http://x\\) \\*Cole\\*: Escalate: MARAC \\| now');
    expect(text).not.toContain('[Dan](');
  });
});
