import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Principal } from '@throughline/auth';
import type { PurposeOfUse } from '@throughline/domain';
import { subjectNotFound } from '../purpose-of-use';
import { type DisclosedSubject, SubjectReader } from '../read-subject/subject-reader';

export class GetSubjectQuery {
  constructor(
    readonly principal: Principal,
    readonly subjectId: string,
    readonly purpose: PurposeOfUse,
  ) {}
}

@QueryHandler(GetSubjectQuery)
export class GetSubjectHandler implements IQueryHandler<GetSubjectQuery, DisclosedSubject> {
  constructor(private readonly reader: SubjectReader) {}

  async execute({ principal, subjectId, purpose }: GetSubjectQuery): Promise<DisclosedSubject> {
    const subject = await this.reader.read(principal, subjectId, purpose);
    if (!subject) throw subjectNotFound();
    return subject;
  }
}
