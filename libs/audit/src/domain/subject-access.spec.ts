import { chainHash, contentHashOf, GENESIS_HASH } from './chain';
import type { AuditRecord, DisclosureContent, SubjectDisclosure } from './disclosure';
import { aboutSubject } from './subject-access';

const subject = (n: number): string => `5b1f0e0c-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ME = subject(1);

/** A board row's entry, as the tasking board records each person on it. */
const boardRow = (subjectId: string, position: number): SubjectDisclosure => ({
  subjectId,
  grounds: [
    {
      rule: 'agreement',
      basis: 'always',
      clause: 'tasking-meeting',
      legalBasis: 'Crime and Disorder Act 1998 s.115',
      reliedOn: null,
      categories: ['cohort'],
    },
  ],
  fields: { cohort: ['band', 'cohortClass'], custody: ['inCustody'] },
  positions: [position],
});

const read = (over: Partial<DisclosureContent>): DisclosureContent => ({
  id: '00000000-0000-4000-8000-000000000001',
  at: '2025-01-06T09:00:00.000Z',
  requestId: 'req-1',
  principal: { kind: 'person', user: 'chair-1', agency: 'police', role: 'tasking-chair' },
  action: 'tasking.board',
  outcome: 'disclosed',
  purpose: 'tasking',
  agreementVersion: '2025.1',
  subjects: [],
  refusal: null,
  ...over,
});

const recordOf = (content: DisclosureContent, seq = 7): AuditRecord => {
  const contentHash = contentHashOf(content);
  return {
    seq,
    content,
    contentHash,
    prevHash: GENESIS_HASH,
    hash: chainHash(GENESIS_HASH, seq, contentHash),
  };
};

describe('a disclosure record as a subject access export gives it', () => {
  it('keeps only the entry about the subject from a board read of many, with who, when, why and what', () => {
    const others = Array.from({ length: 200 }, (_, index) => boardRow(subject(index + 2), 100 + index));
    const record = recordOf(
      read({ subjects: [...others.slice(0, 50), boardRow(ME, 42), ...others.slice(50)] }),
    );

    const about = aboutSubject(record, ME);

    expect(about.content).toEqual({ ...record.content, subjects: [boardRow(ME, 42)] });
    expect(about.whole).toBe(false);
    const text = JSON.stringify(about);
    for (const other of others) expect(text).not.toContain(other.subjectId);
    expect(about.content.subjects.flatMap((entry) => entry.positions)).toEqual([42]);
  });

  it('gives the hash of the whole record and its place in the chain, not a hash of the part', () => {
    const record = recordOf(read({ subjects: [boardRow(subject(9), 5), boardRow(ME, 6)] }));

    const about = aboutSubject(record, ME);

    expect(about).toMatchObject({
      seq: record.seq,
      contentHash: record.contentHash,
      prevHash: record.prevHash,
      hash: record.hash,
    });
    expect(contentHashOf(about.content)).not.toBe(record.contentHash);
  });

  it('gives a record about the subject alone whole, so its content hash can be checked from the export', () => {
    const record = recordOf(
      read({ action: 'subject.view', purpose: 'case-management', subjects: [boardRow(ME, 6)] }),
    );

    const about = aboutSubject(record, ME);

    expect(about.whole).toBe(true);
    expect(contentHashOf(about.content)).toBe(record.contentHash);
  });

  it("keeps a refusal about the subject, and leaves out a refusal about someone else's", () => {
    const refusedMe = recordOf(
      read({
        outcome: 'refused',
        action: 'subject.view',
        refusal: { status: 403, reason: 'No sharing rule', subjectId: ME, rule: 'deny', clause: null },
      }),
    );
    const refusedOther = recordOf(
      read({
        outcome: 'refused',
        subjects: [boardRow(ME, 6)],
        refusal: { status: 404, reason: 'Subject not found', subjectId: subject(3) },
      }),
    );

    expect(aboutSubject(refusedMe, ME)).toMatchObject({ whole: true, content: refusedMe.content });
    const other = aboutSubject(refusedOther, ME);
    expect(other.content.refusal).toBeNull();
    expect(JSON.stringify(other)).not.toContain(subject(3));
  });

  it('names only the fields it knows, so a field added to the record later is not exported unnoticed', () => {
    const content = { ...read({ subjects: [boardRow(ME, 6)] }), others: [subject(4)] } as DisclosureContent;

    const about = aboutSubject(recordOf(content), ME);

    expect(JSON.stringify(about)).not.toContain(subject(4));
    expect(about.whole).toBe(false);
  });

  it('keeps what a search searched by, with only the subject among those it found', () => {
    const record = recordOf(
      read({
        action: 'audit.subject-search',
        purpose: 'subject-access',
        principal: { kind: 'person', user: 'ig-1', agency: 'partnership', role: 'ig-lead' },
        search: { by: ['familyName', 'dateOfBirth'] },
        subjects: [boardRow(subject(5), 1), boardRow(ME, 2)],
      }),
    );

    const about = aboutSubject(record, ME);

    expect(about.content.search).toEqual({ by: ['familyName', 'dateOfBirth'] });
    expect(about.content.subjects.map((entry) => entry.subjectId)).toEqual([ME]);
  });
});
