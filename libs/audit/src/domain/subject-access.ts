import { canonicalJson } from './canonical-json';
import type { AuditRecord, DisclosureContent } from './disclosure';

/**
 * One audit record as a subject access export gives it: the record's place in the chain, and its
 * content cut down to what it says about this one subject. A read of many subjects at once (the
 * tasking board, a subject list, the de-selection register) names each of them; the export keeps
 * only the entry about its own subject, so it says "appeared in a board read by this person, at
 * this time, for this purpose, with these fields" and nothing about who else was on the board.
 */
export interface SubjectAccessRecord {
  readonly seq: number;
  /** The hash of the whole record's content, as chained: what a receipt for the record proves. */
  readonly contentHash: string;
  readonly prevHash: string;
  readonly hash: string;
  /**
   * True when `content` is the record's whole content, so SHA-256 of its canonical JSON is
   * `contentHash`; false when entries about other subjects were left out.
   */
  readonly whole: boolean;
  readonly content: DisclosureContent;
}

/**
 * The record as far as it concerns the subject: `subjectId`, or every record of one person. Every
 * field is named here rather than copied, so a field added to the record later reaches an export
 * only once someone decides it belongs there.
 */
export function aboutSubject(
  record: AuditRecord,
  subjectId: string | readonly string[],
): SubjectAccessRecord {
  const { content } = record;
  const about = new Set(typeof subjectId === 'string' ? [subjectId] : subjectId);
  const subjects = content.subjects.filter((entry) => about.has(entry.subjectId));
  const refusal = content.refusal && about.has(content.refusal.subjectId ?? '') ? content.refusal : null;
  const reduced: DisclosureContent = {
    id: content.id,
    at: content.at,
    requestId: content.requestId,
    principal: {
      kind: content.principal.kind,
      user: content.principal.user,
      agency: content.principal.agency,
      role: content.principal.role,
    },
    action: content.action,
    outcome: content.outcome,
    purpose: content.purpose,
    agreementVersion: content.agreementVersion,
    ...(content.search ? { search: content.search } : {}),
    subjects: subjects.map((entry) => ({
      subjectId: entry.subjectId,
      grounds: entry.grounds.map((ground) => ({
        rule: ground.rule,
        basis: ground.basis,
        clause: ground.clause,
        legalBasis: ground.legalBasis,
        reliedOn: ground.reliedOn,
        categories: [...ground.categories],
      })),
      fields: Object.fromEntries(
        Object.entries(entry.fields).map(([category, names]) => [category, [...names]]),
      ),
      positions: [...entry.positions],
    })),
    refusal: refusal
      ? {
          status: refusal.status,
          reason: refusal.reason,
          subjectId: refusal.subjectId,
          ...(refusal.rule !== undefined ? { rule: refusal.rule } : {}),
          ...(refusal.clause !== undefined ? { clause: refusal.clause } : {}),
        }
      : null,
  };
  return {
    seq: record.seq,
    contentHash: record.contentHash,
    prevHash: record.prevHash,
    hash: record.hash,
    // Compared as hashed, so `whole` holds exactly when the content hash can be checked from it.
    whole: canonicalJson(reduced) === canonicalJson(content),
    content: reduced,
  };
}
