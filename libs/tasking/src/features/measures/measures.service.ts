import { Injectable } from '@nestjs/common';
import { type SubjectDoc, SubjectDocs } from '@throughline/subjects';
import {
  computeMeasures,
  type MeasureFacts,
  measureFacts,
  type Measures,
  type MethodVersions,
} from '../../domain/measures';

/**
 * The measures over every person the partnership holds (a person's merged records once), from the
 * corrected timelines the subject documents carry. Each person's facts are read once per version
 * of their document, so a request after the first costs the counting alone.
 */
@Injectable()
export class MeasuresService {
  private readonly facts = new WeakMap<SubjectDoc, MeasureFacts>();

  constructor(private readonly docs: SubjectDocs) {}

  async measures(now: Date, months: number, versions: MethodVersions): Promise<Measures> {
    const { docs } = await this.docs.servable();
    const people = docs.flatMap((doc) => {
      let facts = this.facts.get(doc);
      if (!facts) {
        try {
          facts = measureFacts(doc.timeline);
        } catch {
          // A timeline holding data no check foresaw is left out of the counts, not the measures.
          return [];
        }
        this.facts.set(doc, facts);
      }
      return [facts];
    });
    return computeMeasures(people, now, months, versions);
  }
}
