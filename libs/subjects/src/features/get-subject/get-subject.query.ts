import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AgreementService, timeZoneOf } from '@throughline/sharing';
import { subjectDisclosureInStretches } from '../disclosure-record';
import { type Audited, AuditedRead, type Reader } from '../audited-read/audited-read';
import { recordAsOf } from '../../domain/record-as-of';
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
  /**
   * Each cut the reader keeps, as it stands now (`recordAsOf`), until the record would say otherwise:
   * readers in between are given the same object, so what is made of it once (its JSON) holds too.
   */
  private readonly asOf = new WeakMap<
    DisclosedSubject,
    { subject: DisclosedSubject; until: string | null }
  >();

  constructor(
    private readonly subjects: SubjectReader,
    private readonly audited: AuditedRead,
    private readonly agreements: AgreementService,
  ) {}

  execute({ reader, subjectId }: GetSubjectQuery): Promise<Audited<DisclosedSubject>> {
    return this.audited.run(reader, 'subject.view', 'subjects', async () => {
      const subject = await this.subjects.read(reader.principal, subjectId, reader.purpose);
      if (!subject) throw subjectNotFound();
      return {
        result: this.asOfNow(subject, new Date().toISOString(), timeZoneOf(await this.agreements.current())),
        subjects: [await subjectDisclosureInStretches(subject.subjectId, subject.entries)],
        agreementVersion: subject.agreementVersion,
      };
    });
  }

  private asOfNow(subject: DisclosedSubject, now: string, timeZone: string): DisclosedSubject {
    const known = this.asOf.get(subject);
    if (known && (known.until === null || now < known.until)) return known.subject;
    // A new agreement (its time zone among it) makes new cuts, so a kept one holds for its zone.
    const { record, until } = recordAsOf(subject.record, now, timeZone);
    const current = { ...subject, record };
    this.asOf.set(subject, { subject: current, until });
    return current;
  }
}
