import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService, type DisclosureAction } from '@throughline/audit';
import { type Principal, RoleGate } from '@throughline/auth';
import {
  CATALOGUE,
  type DataCategory,
  type EventMeta,
  type EventType,
  keysErasedBy,
  subjectStream,
} from '@throughline/domain';
import { EventStore, type RecordedEvent, WrongExpectedRevisionError } from '@throughline/event-store';
import { ProblemException } from '@throughline/platform';
import { ReadModelStore, toPublishedEvent } from '@throughline/projections';
import { AgreementService } from '../../agreement/agreement.service';
import { timeZoneOf } from '../../domain/engine';
import {
  decideErase,
  decideLift,
  decideRestrict,
  decideRetain,
  deciderRefusal,
  isRecordsRefusal,
  type RecordsRefusal,
} from '../../domain/records-decisions';
import {
  dateIn,
  type DueReview,
  dueReviews,
  evolveRetentionFacts,
  heldCategories,
  type RestrictionFact,
  type RetentionFacts,
} from '../../domain/review-queue';
import { RETENTION_FACTS } from '../../projections/retention-facts.projection';
import { PLATFORM_SOURCE } from '../break-glass/break-glass.command';

/** Who asks, and the request's id, as the audit record names them. */
export interface RecordsRequester {
  readonly principal: Principal;
  readonly requestId?: string | undefined;
}

export interface RecordsDecision {
  readonly eventId: string;
  readonly subjectId: string;
  readonly position: number;
  readonly disclosureId: string;
}

type DecisionType = Extract<
  EventType,
  | 'iom.retention.reviewed.v1'
  | 'iom.record.erased.v1'
  | 'iom.record.restricted.v1'
  | 'iom.record.restriction-lifted.v1'
>;

/**
 * Records management for the IG lead, for the API and the IG console alike: the owning agency's
 * review queue, computed from the agreement's schedule and the retention facts projection, and
 * the decisions (retain, restrict, lift), each decided in `records-decisions.ts`, appended to the
 * subject's stream as an event the platform records, and put on the audit log. A refusal is put on
 * the audit log before it is answered.
 */
@Injectable()
export class RecordsService {
  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly agreements: AgreementService,
    private readonly audit: AuditService,
    private readonly roles: RoleGate,
  ) {}

  /** Every review due to the IG lead's agency today, oldest first, recorded as a read of those subjects. */
  async queue(requester: RecordsRequester, now: Date): Promise<{ today: string; reviews: DueReview[] }> {
    const agreement = await this.agreements.current();
    await this.roles.require(requester.principal, 'audit', 'audit');
    const today = dateIn(now, timeZoneOf(agreement));
    const facts = await this.readModels.currentAll<RetentionFacts>(RETENTION_FACTS);
    const reviews = dueReviews(agreement?.retention, facts, requester.principal.agency, today);
    await this.record(requester, 'records.review', 'disclosed', agreement?.version ?? null, [
      ...new Set(reviews.map((review) => review.subjectId)),
    ]);
    return { today, reviews };
  }

  /** The restrictions the IG lead's agency has in force, newest first. */
  async restrictions(requester: RecordsRequester): Promise<(RestrictionFact & { subjectId: string })[]> {
    await this.roles.require(requester.principal, 'audit', 'audit');
    const facts = await this.readModels.currentAll<RetentionFacts>(RETENTION_FACTS);
    const agreement = await this.agreements.current();
    const found = facts
      .flatMap((subject) =>
        Object.values(subject.restrictions).map((r) => ({ ...r, subjectId: subject.subjectId })),
      )
      .filter((restriction) => restriction.agency === requester.principal.agency)
      .sort((a, b) => b.restrictedAt.localeCompare(a.restrictedAt));
    await this.record(requester, 'records.restriction', 'disclosed', agreement?.version ?? null, [
      ...new Set(found.map((restriction) => restriction.subjectId)),
    ]);
    return found;
  }

  async retain(
    requester: RecordsRequester,
    subjectId: string,
    body: Record<string, unknown>,
    now: Date,
  ): Promise<RecordsDecision> {
    return this.decide(
      requester,
      subjectId,
      'iom.retention.reviewed.v1',
      'records.review',
      async (history) => {
        const agreement = await this.agreements.current();
        return decideRetain({
          decider: requester.principal,
          category: body.category,
          reason: body.reason,
          nextReview: body.nextReview,
          held: heldCategories(factsOf(history), requester.principal.agency),
          today: dateIn(now, timeZoneOf(agreement)),
        });
      },
    );
  }

  /**
   * Erase a category of the agency's data about the subject, as the agency's own
   * `iom.record.erased.v1` would: the keys that sealed it are destroyed before the erasure is
   * written, and views, the timeline and the subject access export state the erasure in its place.
   */
  async erase(
    requester: RecordsRequester,
    subjectId: string,
    body: Record<string, unknown>,
  ): Promise<RecordsDecision> {
    return this.decide(requester, subjectId, 'iom.record.erased.v1', 'records.review', (history) =>
      Promise.resolve(
        decideErase({
          decider: requester.principal,
          category: body.category,
          reason: body.reason,
          decisionRef: body.decisionRef,
          held: heldCategories(factsOf(history), requester.principal.agency),
        }),
      ),
    );
  }

  async restrict(
    requester: RecordsRequester,
    subjectId: string,
    body: Record<string, unknown>,
  ): Promise<RecordsDecision & { restrictionId: string }> {
    const restrictionId = randomUUID();
    const done = await this.decide(
      requester,
      subjectId,
      'iom.record.restricted.v1',
      'records.restriction',
      () =>
        Promise.resolve(
          decideRestrict({
            decider: requester.principal,
            restrictionId,
            categories: body.categories,
            purposes: body.purposes,
            reason: body.reason,
            legalBasis: body.legalBasis,
          }),
        ),
    );
    return { ...done, restrictionId };
  }

  async lift(
    requester: RecordsRequester,
    subjectId: string,
    restrictionId: string,
    body: Record<string, unknown>,
  ): Promise<RecordsDecision> {
    return this.decide(
      requester,
      subjectId,
      'iom.record.restriction-lifted.v1',
      'records.restriction',
      (history) => {
        const facts = factsOf(history);
        return Promise.resolve(
          decideLift({
            decider: requester.principal,
            restriction: facts?.restrictions[restrictionId],
            reason: body.reason,
          }),
        );
      },
    );
  }

  /**
   * Read the subject's stream, decide, append with the revision read (a race is decided again),
   * and record the decision; a refusal is recorded and thrown as its problem.
   */
  private async decide(
    requester: RecordsRequester,
    subjectId: string,
    type: DecisionType,
    action: Extract<DisclosureAction, 'records.review' | 'records.restriction'>,
    decide: (history: readonly RecordedEvent[]) => Promise<RecordsRefusal | object>,
  ): Promise<RecordsDecision> {
    const { principal } = requester;
    await this.roles.require(principal, 'audit', 'audit');
    const agreement = await this.agreements.current();
    const version = agreement?.version ?? null;
    const notDecider = deciderRefusal(principal, agreement);
    if (notDecider) throw await this.refuse(requester, action, version, subjectId, notDecider);
    const stream = subjectStream(subjectId);
    const id = randomUUID();
    for (let attempt = 0; ; attempt += 1) {
      const history = await this.events.readStream(stream);
      if (history.length === 0)
        throw await this.refuse(requester, action, version, subjectId, {
          refused: true,
          status: 404,
          rule: 'records-subject-known',
          clause: null,
          title: 'Subject not found',
          detail: 'No subject with this id',
        });
      const decided = await decide(history);
      if (isRecordsRefusal(decided)) throw await this.refuse(requester, action, version, subjectId, decided);
      const meta: EventMeta = {
        agency: principal.agency,
        source: PLATFORM_SOURCE,
        ceId: id,
        time: new Date().toISOString(),
        subjectRef: subjectId,
        publishedBy: principal.id,
        category: CATALOGUE[type].category as DataCategory,
        ...(requester.requestId ? { requestId: requester.requestId } : {}),
      };
      try {
        const appended = await this.events.append(
          stream,
          [
            {
              id,
              type,
              data: decided,
              metadata: { ...meta },
              ...(type === 'iom.record.erased.v1'
                ? { destroyKeys: keysErasedBy(principal.agency, decided) }
                : {}),
            },
          ],
          history.at(-1)!.revision,
        );
        const position = appended.events[0]?.position ?? 0;
        const record = await this.record(requester, action, 'decided', version, [subjectId], {
          type,
          eventId: id,
          position,
          data: decided as Record<string, unknown>,
        });
        return { eventId: id, subjectId, position, disclosureId: record };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= 3) throw error;
      }
    }
  }

  private async record(
    requester: RecordsRequester,
    action: DisclosureAction,
    outcome: 'disclosed' | 'decided',
    agreementVersion: string | null,
    subjectIds: readonly string[],
    decision?: { type: DecisionType; eventId: string; position: number; data: Record<string, unknown> },
  ): Promise<string> {
    const { principal } = requester;
    const categories = decision
      ? ((decision.data.categories as string[] | undefined) ??
        (decision.data.category ? [decision.data.category as string] : []))
      : [];
    const record = await this.audit.record({
      requestId: requester.requestId ?? null,
      principal: { kind: principal.kind, user: principal.id, agency: principal.agency, role: principal.role },
      action,
      outcome,
      purpose: 'audit',
      agreementVersion,
      // Pseudonymised as every record: the decision by its event and categories, never its free text.
      subjects: subjectIds.map((subjectId) => ({
        subjectId,
        grounds: decision
          ? [
              {
                rule: decision.type,
                basis: 'records-decision',
                clause: null,
                legalBasis:
                  typeof decision.data.legalBasis === 'string'
                    ? decision.data.legalBasis
                    : 'DPA 2018 s.62 (logging); the owning agency’s records management',
                reliedOn: decision.eventId,
                categories,
              },
            ]
          : [],
        fields: {},
        positions: decision ? [decision.position] : [],
      })),
      refusal: null,
    });
    return record.content.id;
  }

  private async refuse(
    requester: RecordsRequester,
    action: DisclosureAction,
    agreementVersion: string | null,
    subjectId: string,
    refusal: RecordsRefusal,
  ): Promise<ProblemException> {
    const { principal } = requester;
    const record = await this.audit.record({
      requestId: requester.requestId ?? null,
      principal: { kind: principal.kind, user: principal.id, agency: principal.agency, role: principal.role },
      action,
      outcome: 'refused',
      purpose: 'audit',
      agreementVersion,
      subjects: [],
      refusal: {
        status: refusal.status,
        reason: refusal.title,
        subjectId,
        rule: refusal.rule,
        clause: null,
      },
    });
    return new ProblemException(refusal.status, refusal.rule, refusal.title, refusal.detail, {
      rule: refusal.rule,
      clause: null,
      disclosureId: record.content.id,
    });
  }
}

/** The review facts of the subject's stream, folded as the retention-facts projection folds them. */
const factsOf = (history: readonly RecordedEvent[]): RetentionFacts | null =>
  history.reduce<RetentionFacts | null>((state, recorded) => {
    const event = toPublishedEvent(recorded);
    return event ? evolveRetentionFacts(state, event) : state;
  }, null);
