import type { Projection } from '@throughline/projections';
import { evolveRetentionFacts, type RetentionFacts } from '../domain/review-queue';

export const RETENTION_FACTS = 'retention-facts';

/**
 * What each subject's review clocks start from, and the records decisions taken, one small
 * document per subject: the review queue reads these, never the log.
 */
export const retentionFactsProjection: Projection<RetentionFacts> = {
  name: RETENTION_FACTS,
  keys: (event) => [event.subjectId],
  evolve: (facts, event) => evolveRetentionFacts(facts, event),
};
