import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from '@throughline/audit';
import { AuthModule } from '@throughline/auth';
import { ProjectionsModule } from '@throughline/projections';
import { SharingModule } from '@throughline/sharing';
import { SubjectsModule } from '@throughline/subjects';
import { TaskingModule } from '@throughline/tasking';
import { BoardPageController } from './features/board/board.controller';
import { IgPagesController } from './features/ig/ig.controller';
import { InboxPagesController } from './features/inbox/inbox-pages.controller';
import { MeetingPagesController } from './features/meetings/meetings.controller';
import { SubjectPagesController } from './features/subjects/subject-pages.controller';
import { PageNotFoundController } from './html/not-found.controller';
import { pageHeaders } from './session/form-body';
import { OidcController } from './session/oidc/oidc.controller';
import { OidcSignIn } from './session/oidc/oidc-sign-in.service';
import { SignInController } from './session/sign-in.controller';
import { WebSessionGuard } from './session/web-session.guard';
import { WebSessions } from './session/web-sessions';

const PAGES = [
  SignInController,
  OidcController,
  BoardPageController,
  MeetingPagesController,
  SubjectPagesController,
  InboxPagesController,
  IgPagesController,
];

/**
 * The pages people use, served by the API process under /app: sign-in, the tasking board, the
 * subject picture and the IG console. They read through the same services as the API, cut by the
 * same policy, and record every view in the same audit log.
 */
@Module({
  imports: [
    CqrsModule,
    AuthModule,
    AuditModule,
    ProjectionsModule,
    SharingModule,
    SubjectsModule,
    TaskingModule,
  ],
  // The catch-all goes last so it only answers what no page matched.
  controllers: [...PAGES, PageNotFoundController],
  providers: [WebSessionGuard, WebSessions, OidcSignIn],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(pageHeaders).forRoutes(...PAGES, PageNotFoundController);
  }
}
