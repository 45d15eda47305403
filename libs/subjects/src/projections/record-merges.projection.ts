import { type PublishedEvent, recordMergeOf } from '@throughline/domain';
import type { Projection } from '@throughline/projections';

export const RECORD_MERGES = 'record-merges';

/**
 * One record's place in a person: the surviving record it is merged into, or the records merged
 * into it. A record that stands alone has no document.
 */
export interface RecordMergeDoc {
  readonly subjectId: string;
  readonly mergedInto?: string;
  readonly merged?: readonly string[];
}

/**
 * Merges and unmerges, kept per record as they arrive (read by `recordMergeOf`, the rule the
 * identity index and the log's claims read them by), so loading a subject's document knows in one
 * lookup whether other records belong with it.
 */
export const recordMergesProjection: Projection<RecordMergeDoc> = {
  name: RECORD_MERGES,
  keys: (event: PublishedEvent) => {
    const merge = recordMergeOf(event.type, event.data);
    return merge ? [event.subjectId, merge.merged] : [];
  },
  evolve: (doc, event, key) => {
    const merge = recordMergeOf(event.type, event.data)!;
    const survivor = event.subjectId;
    if (key === survivor) {
      const others = (doc?.merged ?? []).filter((id) => id !== merge.merged);
      const merged = merge.kind === 'merge' ? [...others, merge.merged] : others;
      return merged.length > 0 || doc?.mergedInto ? { ...doc, subjectId: key, merged } : null;
    }
    if (merge.kind === 'merge') return { ...doc, subjectId: key, mergedInto: survivor };
    if (doc?.mergedInto !== survivor) return doc;
    const { mergedInto: _parted, ...rest } = doc;
    return (rest.merged?.length ?? 0) > 0 ? rest : null;
  },
};
