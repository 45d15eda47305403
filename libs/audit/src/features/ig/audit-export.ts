import { csvLine } from '@throughline/platform';
import type { AuditRecord } from '../../domain/disclosure';

const COLUMNS = [
  'seq',
  'id',
  'at',
  'outcome',
  'action',
  'agency',
  'user',
  'role',
  'purpose',
  'agreementVersion',
  'subjects',
  'rules',
  'clauses',
  'legalBases',
  'categories',
  'refusal',
  'requestId',
  'hash',
] as const;

const unique = (values: readonly (string | null)[]): string =>
  [...new Set(values.filter((v): v is string => Boolean(v)))].join('; ');

export const CSV_HEADER = csvLine(COLUMNS);

/** One CSV line per record: the register as an IG lead opens it in a spreadsheet, every cell inert. */
export function toCsvLine(record: AuditRecord): string {
  const { content } = record;
  const grounds = content.subjects.flatMap((subject) => subject.grounds);
  const row: Record<(typeof COLUMNS)[number], string> = {
    seq: String(record.seq),
    id: content.id,
    at: content.at,
    outcome: content.outcome,
    action: content.action,
    agency: content.principal.agency,
    user: content.principal.user,
    role: content.principal.role,
    purpose: content.purpose ?? '',
    agreementVersion: content.agreementVersion ?? '',
    subjects: unique([
      ...content.subjects.map((subject) => subject.subjectId),
      content.refusal?.subjectId ?? null,
    ]),
    rules: unique(grounds.map((ground) => ground.rule)),
    clauses: unique(grounds.map((ground) => ground.clause)),
    legalBases: unique(grounds.map((ground) => ground.legalBasis)),
    categories: unique(grounds.flatMap((ground) => ground.categories)),
    refusal: content.refusal ? `${content.refusal.status} ${content.refusal.reason}` : '',
    requestId: content.requestId ?? '',
    hash: record.hash,
  };
  return csvLine(COLUMNS.map((column) => row[column]));
}
