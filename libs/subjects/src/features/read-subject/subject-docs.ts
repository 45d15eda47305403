import { Injectable } from '@nestjs/common';
import { EventStore } from '@throughline/event-store';
import { ReadModelStore } from '@throughline/projections';
import { AgreementService } from '@throughline/sharing';
import type { StoredSubjectDoc, SubjectDoc } from '../../domain/subject-view';
import { loadSubjectDoc, UnfoldableSubject } from '../../projections/load-subject-doc';
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

  /** The subject's document, undefined when there is none; throws SubjectHeldBack when held back. */
  async current(subjectId: string): Promise<SubjectDoc | undefined> {
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

  /** Every servable subject's document, in subject id order. */
  async currentAll(): Promise<SubjectDoc[]> {
    return [...(await this.servable()).docs];
  }

  /** Every servable subject's document, in subject id order, and how many are held back. */
  async servable(): Promise<ServableSubjects> {
    const [stored, quarantined] = await Promise.all([
      this.readModels.currentAll<StoredSubjectDoc>(SUBJECT_VIEWS),
      this.readModels.quarantined(SUBJECT_VIEWS),
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
    return { docs, heldBack: quarantined.length + loaded.length - docs.length };
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
