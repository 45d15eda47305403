import type { ReadModelStore } from '@throughline/projections';
import type { SubjectSharing } from '@throughline/sharing';
import { CASELOADS, type CaseloadEntry, caseloadKey } from './caseloads.projection';
import { SUBJECT_VIEWS } from './subject-views.projection';

/**
 * What `agenciesTold` needs of each subject, as the projections hold it: the subject-views
 * document (who holds a view, the sharing state) and the caseload rows of the agencies holding a
 * view. The Kafka relay and the inbox read it here alike.
 */
export async function subjectSharingOf(
  readModels: ReadModelStore,
  subjectIds: readonly string[],
): Promise<Map<string, SubjectSharing>> {
  const docs = await readModels.getMany<Omit<SubjectSharing, 'workingWith'>>(SUBJECT_VIEWS, [
    ...new Set(subjectIds),
  ]);
  const keys = [...docs].flatMap(([subjectId, doc]) =>
    Object.keys(doc.views).map((agency) => caseloadKey(agency, subjectId)),
  );
  const rows = await readModels.getMany<CaseloadEntry>(CASELOADS, keys);
  const working = new Map<string, { agency: string; since: number }[]>();
  for (const { subjectId, agency, since } of rows.values())
    working.set(subjectId, [...(working.get(subjectId) ?? []), { agency, since }]);
  return new Map(
    [...docs].map(([subjectId, doc]) => [
      subjectId,
      { views: doc.views, sharing: doc.sharing, workingWith: working.get(subjectId) ?? [] },
    ]),
  );
}
