import { Injectable } from '@nestjs/common';
import { EventStore } from '@throughline/event-store';
import { ReadModelStore } from '@throughline/projections';
import type { StoredSubjectDoc, SubjectDoc } from '../../domain/subject-view';
import { loadSubjectDoc } from '../../projections/load-subject-doc';
import { SUBJECT_VIEWS } from '../../projections/subject-views.projection';

/**
 * Subject documents for serving, whole: the stored document (parsed once per version by the
 * read-model store) with its timeline read from the log. Each version is made whole once and the
 * same object served until the projection writes a newer one, so callers may key caches by it
 * (unless the heap runs short: the store then lets its documents go and parses them again).
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
  ) {}

  async current(subjectId: string): Promise<SubjectDoc | undefined> {
    const stored = await this.readModels.current<StoredSubjectDoc>(SUBJECT_VIEWS, subjectId);
    return stored && this.load(stored);
  }

  /** Every subject's document, in subject id order. */
  async currentAll(): Promise<SubjectDoc[]> {
    const stored = await this.readModels.currentAll<StoredSubjectDoc>(SUBJECT_VIEWS);
    return Promise.all(stored.map((doc) => this.load(doc)));
  }

  private load(stored: StoredSubjectDoc): Promise<SubjectDoc> {
    let doc = this.whole.get(stored);
    if (!doc) {
      doc = loadSubjectDoc(this.events, stored, this.latest.get(stored.subjectId)?.deref());
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
