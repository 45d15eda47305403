import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@throughline/auth';
import { type DataCategory, type PurposeOfUse, subjectStream } from '@throughline/domain';
import { EventStore, type RecordedEvent } from '@throughline/event-store';
import { ReadModelStore, toPublishedEvent } from '@throughline/projections';
import {
  type Agreement,
  AgreementService,
  buildReadPolicy,
  categoryAccess,
  type CategoryAccess,
  changesSharing,
  consentsInForceFor,
  evolveSharing,
  SHARING_EVENT_TYPES,
  policySignature,
  type ReadPolicy,
  type SharingState,
  timeZoneOf,
  type WithheldBasis,
} from '@throughline/sharing';
import { type DisclosedEntry, discloseEntries, settleMarks } from '../../domain/disclose';
import { emptyRecord } from '../../domain/subject-record';
import { foldRecord, inEventTime, recomputeViews, type SubjectDoc } from '../../domain/subject-view';
import { type ServedRecord, servedRecord, withheldFields } from '../../domain/withheld-record';
import { SUBJECT_VIEWS } from '../../projections/subject-views.projection';
import { subjectHeldBack } from '../purpose-of-use';
import { SubjectDocs, SubjectHeldBack } from './subject-docs';

/**
 * What one read may disclose: the permitted entries (each cut to its permitted fields) and the
 * record folded from them, with what the reader's basis withholds marked as withheld.
 */
export interface DisclosedSubject {
  readonly subjectId: string;
  readonly entries: readonly DisclosedEntry[];
  readonly record: ServedRecord;
  readonly agreementVersion: string | null;
}

/** What a list may disclose, and how many subjects it leaves out because they are held back. */
export interface DisclosedSubjects {
  readonly subjects: readonly DisclosedSubject[];
  readonly heldBack: number;
}

/** Which subjects a list reads, in subject-id order, and where it stops. */
export interface ListSelection {
  /** Whether the subject is in the list at all, asked before anything is cut. */
  readonly includes: (subjectId: string) => boolean;
  /** Only subjects whose id sorts after this one: the last of the previous page. */
  readonly after?: string;
  /** Whether a subject, as cut for the reader, is served (a filter on what the reader sees). */
  readonly matches: (subject: DisclosedSubject) => boolean;
  /** Stop once this many subjects are served. */
  readonly limit: number;
}

/**
 * Timeline entries cut at a time. A long subject is cut a stretch at a time, with other work
 * (health checks, other readers) running between stretches, instead of holding the thread.
 */
const CUT_STRETCH = 2_000;

/** What cutting a subject for one request takes: the document as cut now, and the request's policy. */
export interface ReadCut {
  /** The document, its cuts recomputed if sharing events the projection has not applied change them. */
  readonly doc: SubjectDoc;
  readonly policy: ReadPolicy;
  readonly agreementVersion: string | null;
}

/** A cut already made from one document version, for readers alike in everything the cut depends on. */
interface CachedCut {
  readonly agreement: Agreement | null;
  /** The first consent, concern or break-glass expiry after the cut was made: it is stale from then. */
  readonly until: string | null;
  /** Kept while it is made, so readers arriving meanwhile wait for the one cut. */
  readonly subject: Promise<DisclosedSubject | null>;
}

/** What a reader is told is withheld, the same for every policy alike (see `policySignature`). */
interface Withholding {
  readonly access: Readonly<Record<DataCategory, CategoryAccess>>;
  readonly withheld: Readonly<Record<string, WithheldBasis>>;
}

/** Distinct policies are few (agency, purpose, the consents and concerns that hold); this only bounds them. */
const KNOWN_POLICIES = 1_000;

/** Unapplied events read from the log at a time, with other work let in between pages. */
const UNAPPLIED_PAGE = 10_000;
const NO_AGREEMENT = {};

/** The earliest expiry in the sharing state later than now, or null when nothing will expire. */
function nextExpiry(sharing: SharingState, nowIso: string): string | null {
  let next: string | null = null;
  const consider = (expires: string | null): void => {
    if (expires !== null && expires > nowIso && (next === null || expires < next)) next = expires;
  };
  for (const grant of Object.values(sharing.consents)) consider(grant.expires);
  for (const concern of Object.values(sharing.concerns)) consider(concern.expires);
  for (const grant of sharing.breakGlass) consider(grant.expiresAt);
  return next;
}

/**
 * The documents a list selects, in subject-id order (compared as the cursor is, not as a store's
 * collation sorts): those it includes, and those the reader holds a break-glass claim on.
 */
function selected(docs: readonly SubjectDoc[], principal: Principal, selection: ListSelection): SubjectDoc[] {
  const { after } = selection;
  return docs
    .filter(
      (doc) =>
        (after === undefined || doc.subjectId > after) &&
        ((doc.records ?? [doc]).some((record) => selection.includes(record.subjectId)) ||
          doc.sharing.breakGlass.some((grant) => grant.user === principal.id)),
    )
    .sort((a, b) => (a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : 0));
}

/**
 * The one read path for subject data. The projection holds each agency's widest cut; here the
 * request's ability (purpose, consent and concerns as they stand now, break-glass) cuts again.
 * Sharing events the projection has not applied yet are read from the stream, so a withdrawal
 * takes effect on the very next read.
 */
@Injectable()
export class SubjectReader {
  /**
   * Cuts by document version (a new version of a subject's document drops them with the old object)
   * and by what the policy reads of the principal: kind, agency and purpose. A reader who holds a
   * break-glass claim on the subject, or a read that sees sharing events the document has not
   * applied yet, is always cut afresh.
   */
  private readonly cuts = new WeakMap<SubjectDoc, Map<string, CachedCut>>();
  /**
   * Working out the withheld fields asks the policy some fifty questions, the same for every subject
   * read under an alike policy: a list asks them once per kind of policy rather than per subject.
   */
  private readonly withholdings = new WeakMap<object, Map<string, Withholding>>();

  constructor(
    private readonly readModels: ReadModelStore,
    private readonly docs: SubjectDocs,
    private readonly events: EventStore,
    private readonly agreements: AgreementService,
  ) {}

  async read(
    principal: Principal,
    subjectId: string,
    purpose: PurposeOfUse,
    now = new Date(),
  ): Promise<DisclosedSubject | null> {
    try {
      const doc = await this.docs.current(subjectId);
      if (!doc) return null;
      const sharing = await this.freshSharing(doc);
      return await this.cut(principal, purpose, doc, sharing, now);
    } catch (error) {
      if (error instanceof SubjectHeldBack) throw subjectHeldBack();
      throw error;
    }
  }

  /**
   * The document and the request's policy, for a reader that cuts only part of the timeline (a
   * page of it) rather than the whole subject.
   */
  async readCut(
    principal: Principal,
    subjectId: string,
    purpose: PurposeOfUse,
    now = new Date(),
  ): Promise<ReadCut | null> {
    try {
      const doc = await this.docs.current(subjectId);
      if (!doc) return null;
      const sharing = await this.freshSharing(doc);
      const agreement = await this.agreements.current();
      try {
        return {
          doc: sharing === doc.sharing ? doc : recomputeViews({ ...doc, sharing }, agreement),
          policy: buildReadPolicy({ reader: principal, purpose, agreement, sharing, now }),
          agreementVersion: agreement?.version ?? null,
        };
      } catch {
        // Stored data no check foresaw: this subject alone is held back, as in a whole read.
        throw new SubjectHeldBack(doc.subjectId);
      }
    } catch (error) {
      if (error instanceof SubjectHeldBack) throw subjectHeldBack();
      throw error;
    }
  }

  /** Every subject the reader's agency holds a view of, each cut for this request. */
  async readAll(principal: Principal, purpose: PurposeOfUse, now = new Date()): Promise<DisclosedSubject[]> {
    return [...(await this.readServable(principal, purpose, now)).subjects];
  }

  /**
   * Every subject the reader's agency holds a view of, each cut for this request, leaving out (and
   * counting) those held back: one subject's fault never fails the list.
   */
  async readServable(
    principal: Principal,
    purpose: PurposeOfUse,
    now = new Date(),
    selection?: ListSelection,
  ): Promise<DisclosedSubjects> {
    const [servable, after] = await Promise.all([
      this.docs.servable(),
      this.readModels.checkpoint(SUBJECT_VIEWS),
    ]);
    const { heldBack } = servable;
    const docs = selection ? selected(servable.docs, principal, selection) : servable.docs;
    const { unapplied, unfoldable } = await this.unappliedSharing(docs, after);
    const disclosed: DisclosedSubject[] = [];
    for (const doc of docs) {
      if (selection && disclosed.length >= selection.limit) break;
      if (
        !doc.views[principal.agency] &&
        !doc.sharing.breakGlass.some((grant) => grant.user === principal.id)
      )
        continue;
      if (unfoldable.has(doc.subjectId)) continue;
      try {
        const subject = await this.cut(
          principal,
          purpose,
          doc,
          unapplied.get(doc.subjectId) ?? doc.sharing,
          now,
        );
        if (subject && (!selection || selection.matches(subject))) disclosed.push(subject);
      } catch (error) {
        if (!(error instanceof SubjectHeldBack)) throw error;
        unfoldable.add(doc.subjectId);
      }
    }
    return { subjects: disclosed, heldBack: heldBack + unfoldable.size };
  }

  /**
   * Each subject's sharing state with every sharing event the projection has not applied yet, to
   * the head of the log however far it lags: a withdrawal recorded behind any backlog holds on the
   * next list. Only sharing events are read from the unapplied stretch, a page at a time.
   */
  private async unappliedSharing(
    docs: readonly SubjectDoc[],
    checkpoint: number,
  ): Promise<{ unapplied: Map<string, SharingState>; unfoldable: Set<string> }> {
    // Each record's events go to its person's document, past the revision of that record's own.
    const byId = new Map(
      docs.flatMap((doc) =>
        (doc.records ?? [doc]).map((record) => [record.subjectId, { doc, record }] as const),
      ),
    );
    const timeZone = timeZoneOf(await this.agreements.current());
    const unapplied = new Map<string, SharingState>();
    const unfoldable = new Set<string>();
    for (let after = checkpoint; ;) {
      const page = await this.events.readAll({ after, maxCount: UNAPPLIED_PAGE, types: SHARING_EVENT_TYPES });
      for (const recorded of page) {
        const event = toPublishedEvent(recorded);
        const found = event ? byId.get(event.subjectId) : undefined;
        if (!event || !found || event.revision <= found.record.revision) continue;
        const { doc } = found;
        if (unfoldable.has(doc.subjectId)) continue;
        try {
          unapplied.set(
            doc.subjectId,
            evolveSharing(unapplied.get(doc.subjectId) ?? doc.sharing, event, timeZone),
          );
        } catch {
          unfoldable.add(doc.subjectId);
        }
      }
      const last = page[page.length - 1];
      if (page.length < UNAPPLIED_PAGE || !last) return { unapplied, unfoldable };
      after = last.position;
      await yieldToLoop();
    }
  }

  private withholding(
    principal: Principal,
    purpose: PurposeOfUse,
    agreement: Agreement | null,
    policy: ReadPolicy,
  ): Withholding {
    const owner = agreement ?? NO_AGREEMENT;
    let known = this.withholdings.get(owner);
    if (!known || known.size >= KNOWN_POLICIES)
      this.withholdings.set(owner, (known = new Map<string, Withholding>()));
    const key = `${principal.kind}|${principal.agency}|${purpose}|${policySignature(policy)}`;
    let withholding = known.get(key);
    if (!withholding) {
      const access = categoryAccess({ policy, agreement, reader: principal, purpose });
      withholding = { access, withheld: withheldFields(policy, access) };
      known.set(key, withholding);
    }
    return withholding;
  }

  /**
   * The document's sharing state with the sharing events the projection has not applied yet: of
   * each of the person's records, in log order.
   */
  private async freshSharing(doc: SubjectDoc): Promise<SharingState> {
    const newer: RecordedEvent[] = [];
    for (const record of doc.records ?? [doc]) {
      const stream = subjectStream(record.subjectId);
      // Nearly always the projection has applied the whole stream: a revision lookup says so.
      if ((await this.events.streamRevision(stream)) <= record.revision) continue;
      newer.push(...(await this.events.readStream(stream, { fromRevision: record.revision + 1 })));
    }
    if (newer.length === 0) return doc.sharing;
    newer.sort((a, b) => a.position - b.position);
    const timeZone = timeZoneOf(await this.agreements.current());
    let sharing = doc.sharing;
    try {
      for (const recorded of newer) {
        const event = toPublishedEvent(recorded);
        if (event && changesSharing(event.type)) sharing = evolveSharing(sharing, event, timeZone);
      }
    } catch {
      // The projection will quarantine the subject when it reaches that event; until then the
      // read is held back rather than served on a sharing state that could not be worked out.
      throw new SubjectHeldBack(doc.subjectId);
    }
    return sharing;
  }

  private async cut(
    principal: Principal,
    purpose: PurposeOfUse,
    doc: SubjectDoc,
    sharing: SharingState,
    now: Date,
  ): Promise<DisclosedSubject | null> {
    const agreement = await this.agreements.current();
    if (sharing !== doc.sharing || sharing.breakGlass.some((grant) => grant.user === principal.id)) {
      return this.disclose(principal, purpose, doc, sharing, agreement, now);
    }
    const nowIso = now.toISOString();
    // The role decides whether the policy grants anything at all, so readers alike share a cut
    // only within a role.
    const key = `${principal.kind}|${principal.agency}|${principal.role}|${purpose}`;
    let byReader = this.cuts.get(doc);
    if (!byReader) this.cuts.set(doc, (byReader = new Map<string, CachedCut>()));
    const cached = byReader.get(key);
    if (cached && cached.agreement === agreement && (cached.until === null || nowIso < cached.until)) {
      return cached.subject;
    }
    const subject = this.disclose(principal, purpose, doc, sharing, agreement, now);
    const entry = { agreement, until: nextExpiry(sharing, nowIso), subject };
    byReader.set(key, entry);
    // A failed cut is not kept: the next read tries again.
    subject.catch(() => byReader.get(key) === entry && byReader.delete(key));
    return subject;
  }

  private async disclose(
    principal: Principal,
    purpose: PurposeOfUse,
    doc: SubjectDoc,
    sharing: SharingState,
    agreement: Agreement | null,
    now: Date,
  ): Promise<DisclosedSubject | null> {
    const entries: DisclosedEntry[] = [];
    let record = emptyRecord(doc.subjectId);
    let served: ServedRecord;
    try {
      const policy = buildReadPolicy({ reader: principal, purpose, agreement, sharing, now });
      // Worked out before any entry is cut, from the policy alone: the same for every subject
      // whose sharing state is the same, whatever it holds.
      const { access, withheld } = this.withholding(principal, purpose, agreement, policy);
      // Sharing events the projection has not applied yet widen or narrow the cut now, not later.
      const cut = sharing === doc.sharing ? doc : recomputeViews({ ...doc, sharing }, agreement);
      for (let from = 0; from < cut.timeline.length; from += CUT_STRETCH) {
        if (from > 0) await yieldToLoop();
        const to = Math.min(from + CUT_STRETCH, cut.timeline.length);
        for (const entry of discloseEntries(cut, principal.agency, policy, from, to)) entries.push(entry);
      }
      if (!settleMarks(entries)) return null;
      // Folded in event-time order: a backdated entry never overrides newer state.
      const ordered = inEventTime(entries.map(({ entry }) => entry));
      for (let from = 0; from < ordered.length; from += CUT_STRETCH) {
        if (from > 0) await yieldToLoop();
        record = foldRecord(doc.subjectId, ordered.slice(from, from + CUT_STRETCH), record);
      }
      served = servedRecord(
        record,
        access,
        withheld,
        consentsInForceFor(sharing, principal.agency, now.toISOString()),
      );
    } catch {
      // Stored data no check foresaw: this subject alone is held back, never the whole read.
      throw new SubjectHeldBack(doc.subjectId);
    }
    return {
      subjectId: doc.subjectId,
      entries,
      record: served,
      agreementVersion: agreement?.version ?? null,
    };
  }
}
