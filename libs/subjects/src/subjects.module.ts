import { Module, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from '@throughline/audit';
import { AuthModule } from '@throughline/auth';
import { ProjectionRunner, ProjectionsModule } from '@throughline/projections';
import { SharingModule } from '@throughline/sharing';
import { AuditedRead } from './features/audited-read/audited-read';
import { GetSubjectHandler } from './features/get-subject/get-subject.query';
import { GetTimelineHandler } from './features/get-timeline/get-timeline.query';
import { ListSubjectsHandler } from './features/list-subjects/list-subjects.query';
import { SubjectsController } from './features/subjects.controller';
import { InboxController } from './features/inbox/inbox.controller';
import { InboxFeed } from './features/inbox/inbox-feed';
import { InboxStreamGuard } from './features/inbox/inbox-stream.guard';
import { InboxReader } from './features/inbox/inbox-reader';
import { InboxReads } from './features/inbox/inbox-reads';
import {
  CountUnreadHandler,
  ListInboxHandler,
  ReadNotificationHandler,
} from './features/inbox/inbox.queries';
import { SubjectDocs } from './features/read-subject/subject-docs';
import { SubjectReader } from './features/read-subject/subject-reader';
import { caseloadsProjection } from './projections/caseloads.projection';
import { recordMergesProjection } from './projections/record-merges.projection';
import { SubjectViewsProjection } from './projections/subject-views.projection';

@Module({
  imports: [CqrsModule, AuthModule, AuditModule, ProjectionsModule, SharingModule],
  controllers: [SubjectsController, InboxController],
  providers: [
    SubjectDocs,
    SubjectReader,
    AuditedRead,
    GetSubjectHandler,
    GetTimelineHandler,
    ListSubjectsHandler,
    InboxReads,
    InboxReader,
    InboxFeed,
    InboxStreamGuard,
    ListInboxHandler,
    ReadNotificationHandler,
    CountUnreadHandler,
  ],
  exports: [SubjectDocs, SubjectReader, AuditedRead, InboxFeed],
})
export class SubjectsModule implements OnModuleInit {
  constructor(private readonly runner: ProjectionRunner) {}

  onModuleInit(): void {
    this.runner.register(new SubjectViewsProjection());
    this.runner.register(caseloadsProjection);
    this.runner.register(recordMergesProjection);
  }
}
