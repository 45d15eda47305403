import { Injectable } from '@nestjs/common';
import type { Principal } from '@throughline/auth';
import { type PurposeOfUse, subjectStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { ReadModelStore, toPublishedEvent } from '@throughline/projections';
import {
  AgreementService,
  buildReadPolicy,
  changesSharing,
  evolveSharing,
  type SharingState,
} from '@throughline/sharing';
import { type DisclosedEntry, discloseSubject } from '../../domain/disclose';
import type { SubjectRecord } from '../../domain/subject-record';
import { recomputeViews, type SubjectDoc } from '../../domain/subject-view';
import { SUBJECT_VIEWS } from '../../projections/subject-views.projection';

/** What one read may disclose: the permitted entries (each cut to its permitted fields) and the record folded from them. */
export interface DisclosedSubject {
  readonly subjectId: string;
  readonly entries: readonly DisclosedEntry[];
  readonly record: SubjectRecord;
  readonly agreementVersion: string | null;
}

/**
 * The one read path for subject data. The projection holds each agency's widest cut; here the
 * request's ability (purpose, consent and concerns as they stand now, break-glass) cuts again.
 * Sharing events the projection has not applied yet are read from the stream, so a withdrawal
 * takes effect on the very next read.
 */
@Injectable()
export class SubjectReader {
  constructor(
    private readonly readModels: ReadModelStore,
    private readonly events: EventStore,
    private readonly agreements: AgreementService,
  ) {}

  async read(
    principal: Principal,
    subjectId: string,
    purpose: PurposeOfUse,
    now = new Date(),
  ): Promise<DisclosedSubject | null> {
    const doc = await this.readModels.current<SubjectDoc>(SUBJECT_VIEWS, subjectId);
    if (!doc) return null;
    const sharing = await this.freshSharing(doc);
    return this.disclose(principal, purpose, doc, sharing, now);
  }

  /** Every subject the reader's agency holds a view of, each cut for this request. */
  async readAll(principal: Principal, purpose: PurposeOfUse, now = new Date()): Promise<DisclosedSubject[]> {
    const [docs, pending] = await Promise.all([
      this.readModels.currentAll<SubjectDoc>(SUBJECT_VIEWS),
      this.readModels
        .checkpoint(SUBJECT_VIEWS)
        .then((after) => this.events.readAll({ after, maxCount: 10_000 })),
    ]);
    const byId = new Map(docs.map((doc) => [doc.subjectId, doc]));
    const unapplied = new Map<string, SharingState>();
    for (const recorded of pending) {
      const event = toPublishedEvent(recorded);
      const doc = event && changesSharing(event.type) ? byId.get(event.subjectId) : undefined;
      if (!event || !doc || event.revision <= doc.revision) continue;
      unapplied.set(event.subjectId, evolveSharing(unapplied.get(event.subjectId) ?? doc.sharing, event));
    }
    const disclosed: DisclosedSubject[] = [];
    for (const doc of docs) {
      if (
        !doc.views[principal.agency] &&
        !doc.sharing.breakGlass.some((grant) => grant.user === principal.id)
      )
        continue;
      const subject = await this.disclose(
        principal,
        purpose,
        doc,
        unapplied.get(doc.subjectId) ?? doc.sharing,
        now,
      );
      if (subject) disclosed.push(subject);
    }
    return disclosed;
  }

  private async freshSharing(doc: SubjectDoc): Promise<SharingState> {
    const newer = await this.events.readStream(subjectStream(doc.subjectId), {
      fromRevision: doc.revision + 1,
    });
    let sharing = doc.sharing;
    for (const recorded of newer) {
      const event = toPublishedEvent(recorded);
      if (event && changesSharing(event.type)) sharing = evolveSharing(sharing, event);
    }
    return sharing;
  }

  private async disclose(
    principal: Principal,
    purpose: PurposeOfUse,
    doc: SubjectDoc,
    sharing: SharingState,
    now: Date,
  ): Promise<DisclosedSubject | null> {
    const agreement = await this.agreements.current();
    const policy = buildReadPolicy({ reader: principal, purpose, agreement, sharing, now });
    // Sharing events the projection has not applied yet widen or narrow the cut now, not later.
    const cut = sharing === doc.sharing ? doc : recomputeViews({ ...doc, sharing }, agreement);
    const disclosure = discloseSubject(cut, principal.agency, policy);
    if (!disclosure) return null;
    return {
      subjectId: doc.subjectId,
      entries: disclosure.entries,
      record: disclosure.record,
      agreementVersion: agreement?.version ?? null,
    };
  }
}
