import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { subjectDisclosureInStretches } from '../disclosure-record';
import { type Audited, AuditedRead, type Reader } from '../audited-read/audited-read';
import { subjectNotFound } from '../purpose-of-use';
import { type DisclosedSubject, SubjectReader } from '../read-subject/subject-reader';

/** One subject's record as the reader may see it. */
export class GetSubjectQuery {
  constructor(
    readonly reader: Reader,
    readonly subjectId: string,
  ) {}
}

@QueryHandler(GetSubjectQuery)
export class GetSubjectHandler implements IQueryHandler<GetSubjectQuery, Audited<DisclosedSubject>> {
  constructor(
    private readonly subjects: SubjectReader,
    private readonly audited: AuditedRead,
  ) {}

  execute({ reader, subjectId }: GetSubjectQuery): Promise<Audited<DisclosedSubject>> {
    return this.audited.run(reader, 'subject.view', 'subjects', async () => {
      const subject = await this.subjects.read(reader.principal, subjectId, reader.purpose);
      if (!subject) throw subjectNotFound();
      return {
        result: subject,
        subjects: [await subjectDisclosureInStretches(subjectId, subject.entries)],
        agreementVersion: subject.agreementVersion,
      };
    });
  }
}
