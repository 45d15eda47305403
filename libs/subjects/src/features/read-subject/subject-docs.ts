import { Injectable } from '@nestjs/common';
import { EventStore } from '@throughline/event-store';
import { ReadModelStore } from '@throughline/projections';
import { type Agreement, AgreementService } from '@throughline/sharing';
import { personDoc, type StoredSubjectDoc, type SubjectDoc } from '../../domain/subject-view';
import { loadSubjectDoc, UnfoldableSubject } from '../../projections/load-subject-doc';
import { RECORD_MERGES, type RecordMergeDoc } from '../../projections/record-merges.projection';
import { SUBJECT_VIEWS } from '../../projections/subject-views.projection';

/**
 * A subject whose record is held back pending repair: the projection quarantined it (folding an
 * event about them threw), or its document cannot be made whole from the log.
 */
export class SubjectHeldBack extends Error {
  constructor(readonly subjectId: string) {
    super(`Subject ${subjectId} is held back pending repair`);
  }
}

/** The documents that can be served, and how many subjects are held back (see SubjectHeldBack). */
export interface ServableSubjects {
  readonly docs: readonly SubjectDoc[];
  readonly heldBack: number;
}

/**
 * Subject documents for serving, whole: the stored document (parsed once per version by the
 * read-model store) with its timeline read from the log. Each version is made whole once and the
 * same object served until the projection writes a newer one, so callers may key caches by it
 * (unless the heap runs short: the store then lets its documents go and parses them again).
 *
 * A quarantined subject has no stored document (the projection removes it in the same
 * transaction), so the quarantine is looked up only when a document is missing.
 */
@Injectable()
export class SubjectDocs {
  private readonly whole = new WeakMap<StoredSubjectDoc, Promise<SubjectDoc>>();
  /**
   * Each subject's latest version made whole, for the next version to start from: only the events
   * between the two are then read. Held weakly, so it costs no memory the versions do not.
   */
  private readonly latest = new Map<string, WeakRef<SubjectDoc>>();

  constructor(
    private readonly readModels: ReadModelStore,
    private readonly events: EventStore,
    private readonly agreements: AgreementService,
  ) {}

  /**
   * Each person's document as last put together from their records, kept while every record's
   * document and the agreement are the ones it was made from.
   */
  private readonly people = new Map<
    string,
    {
      readonly records: readonly SubjectDoc[];
      readonly agreement: Agreement | null;
      readonly doc: SubjectDoc;
    }
  >();

  /**
   * The subject's document, undefined when there is none; throws SubjectHeldBack when held back.
   * A record merged into another gives the person's document, under the surviving record's id;
   * a surviving record's document is folded from every record merged into it.
   */
  async current(subjectId: string): Promise<SubjectDoc | undefined> {
    const merge = await this.readModels.current<RecordMergeDoc>(RECORD_MERGES, subjectId);
    const survivor = merge?.mergedInto ?? subjectId;
    const merged =
      survivor === subjectId
        ? merge?.merged
        : (await this.readModels.current<RecordMergeDoc>(RECORD_MERGES, survivor))?.merged;
    const own = await this.own(survivor);
    if (!own || !merged || merged.length === 0) return own;
    const others = await Promise.all(merged.map((id) => this.own(id)));
    return this.person([own, ...others.filter((doc): doc is SubjectDoc => doc !== undefined)]);
  }

  /** Every servable subject's document, in subject id order. */
  async currentAll(): Promise<SubjectDoc[]> {
    return [...(await this.servable()).docs];
  }

  /**
   * Every servable person's document, in subject id order, and how many are held back: a record
   * merged into another is served within the person's document, not beside it.
   */
  async servable(): Promise<ServableSubjects> {
    const [stored, quarantined, merges] = await Promise.all([
      this.readModels.currentAll<StoredSubjectDoc>(SUBJECT_VIEWS),
      this.readModels.quarantined(SUBJECT_VIEWS),
      this.readModels.currentAll<RecordMergeDoc>(RECORD_MERGES),
    ]);
    const loaded = await Promise.all(
      stored.map((doc) =>
        this.load(doc).catch((error: unknown) => {
          if (error instanceof UnfoldableSubject) return undefined;
          throw error;
        }),
      ),
    );
    const docs = loaded.filter((doc): doc is SubjectDoc => doc !== undefined);
    const heldBack = quarantined.length + loaded.length - docs.length;
    if (merges.length === 0) return { docs, heldBack };
    const byId = new Map(docs.map((doc) => [doc.subjectId, doc]));
    const mergedInto = new Map(
      merges.flatMap((merge) => (merge.mergedInto ? [[merge.subjectId, merge.mergedInto]] : [])),
    );
    const people: SubjectDoc[] = [];
    for (const doc of docs) {
      if (mergedInto.has(doc.subjectId) && byId.has(mergedInto.get(doc.subjectId)!)) continue;
      const merged = merges.find((merge) => merge.subjectId === doc.subjectId)?.merged ?? [];
      const others = merged.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
      people.push(others.length === 0 ? doc : await this.person([doc, ...others]));
    }
    return { docs: people, heldBack };
  }

  /** A record's own document, as the projection stored it. */
  private async own(subjectId: string): Promise<SubjectDoc | undefined> {
    const stored = await this.readModels.current<StoredSubjectDoc>(SUBJECT_VIEWS, subjectId);
    if (!stored) {
      const held = await this.readModels.quarantined(SUBJECT_VIEWS, subjectId);
      if (held.length > 0) throw new SubjectHeldBack(subjectId);
      return undefined;
    }
    try {
      return await this.load(stored);
    } catch (error) {
      if (error instanceof UnfoldableSubject) throw new SubjectHeldBack(subjectId);
      throw error;
    }
  }

  private async person(records: readonly SubjectDoc[]): Promise<SubjectDoc> {
    const agreement = await this.agreements.current();
    const survivor = records[0]!.subjectId;
    const known = this.people.get(survivor);
    if (
      known &&
      known.agreement === agreement &&
      known.records.length === records.length &&
      known.records.every((record, index) => record === records[index])
    )
      return known.doc;
    const doc = personDoc(records, agreement);
    this.people.set(survivor, { records, agreement, doc });
    return doc;
  }

  private load(stored: StoredSubjectDoc): Promise<SubjectDoc> {
    let doc = this.whole.get(stored);
    if (!doc) {
      doc = loadSubjectDoc(
        this.events,
        stored,
        () => this.agreements.current(),
        this.latest.get(stored.subjectId)?.deref(),
      );
      this.whole.set(stored, doc);
      doc.then(
        (loaded) => {
          const held = this.latest.get(stored.subjectId)?.deref();
          if (!held || held.revision <= loaded.revision)
            this.latest.set(stored.subjectId, new WeakRef(loaded));
        },
        // A failed load is not kept: the next read tries again.
        () => this.whole.delete(stored),
      );
    }
    return doc;
  }
}
