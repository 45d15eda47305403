import {
  Controller,
  Get,
  Header,
  Headers,
  type MessageEvent,
  Param,
  Query,
  Sse,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@throughline/auth';
import { RequestId } from '@throughline/platform';
import {
  type Audited,
  CountUnreadQuery,
  type InboxList,
  InboxFeed,
  lastEventPosition,
  ListInboxQuery,
  type Notification,
  parseInboxPage,
  type Reader,
  ReadNotificationQuery,
  requireEventId,
  streamStart,
} from '@throughline/subjects';
import { map, type Observable } from 'rxjs';
import { WebExceptionFilter } from '../../html/web-exception.filter';
import { requirePractitioner, WebSessionGuard } from '../../session/web-session.guard';
import { purposeOf } from '../subjects/subject-query';
import { INBOX_SCRIPT } from './inbox-script';
import { inboxPage, KIND_LABELS, notificationPage } from './inbox.page';
import { PageCsrf } from '../../session/page-params';

const HTML = 'text/html; charset=utf-8';

/**
 * The inbox pages: the same queries as /v1/inbox, for the signed-in practitioner and the purpose
 * they state, recorded as the API's reads are. The live list is the same feed as
 * /v1/inbox/stream, each notification labelled for the page.
 */
@ApiExcludeController()
@Controller('app')
@UseFilters(WebExceptionFilter)
export class InboxPagesController {
  constructor(
    private readonly queries: QueryBus,
    private readonly feed: InboxFeed,
  ) {}

  private reader(principal: Principal, purpose: string | undefined, requestId: string | null): Reader {
    requirePractitioner(principal);
    return { principal, purpose: purposeOf(purpose), requestId };
  }

  @Get('assets/inbox.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  script(): string {
    return INBOX_SCRIPT;
  }

  @Get('inbox')
  @UseGuards(WebSessionGuard)
  @Header('Content-Type', HTML)
  async inbox(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @PageCsrf() csrf: string,
    @Query() values: Record<string, string | undefined>,
  ): Promise<string> {
    const reader = this.reader(principal, values.purpose, requestId);
    const page = parseInboxPage({ before: values.before, unread: values.unread, limit: values.limit });
    const { result } = await this.queries.execute<ListInboxQuery, Audited<InboxList>>(
      new ListInboxQuery(reader, page),
    );
    return inboxPage({
      principal,
      csrf,
      purpose: reader.purpose,
      notifications: result.notifications,
      unread: result.unread,
      asOf: result.asOf,
      nextBefore: result.nextBefore,
      paged: page.before !== undefined,
      unreadOnly: page.unreadOnly === true,
    });
  }

  /** The unread count for the navigation of every other page: a number, recorded nowhere. */
  @Get('inbox/unread')
  @UseGuards(WebSessionGuard)
  async unread(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @Query('purpose') purpose?: string,
  ): Promise<{ unread: number }> {
    const reader = this.reader(principal, purpose, requestId);
    return { unread: await this.queries.execute<CountUnreadQuery, number>(new CountUnreadQuery(reader)) };
  }

  @Sse('inbox/stream')
  @UseGuards(WebSessionGuard)
  stream(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('purpose') purpose?: string,
    @Query('from') from?: string,
  ): Observable<MessageEvent> {
    const reader = this.reader(principal, purpose, requestId);
    return this.feed.watch(reader, lastEventPosition(lastEventId) ?? streamStart(from)).pipe(
      map((signal): MessageEvent => ({
        type: signal.type,
        id: String(signal.position),
        data:
          signal.type === 'notification'
            ? { ...signal.notification, label: KIND_LABELS[signal.notification.kind] }
            : { unread: signal.unread },
      })),
    );
  }

  @Get('inbox/:eventId')
  @UseGuards(WebSessionGuard)
  @Header('Content-Type', HTML)
  async open(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @PageCsrf() csrf: string,
    @Param('eventId') rawId: string,
    @Query('purpose') purpose?: string,
  ): Promise<string> {
    const reader = this.reader(principal, purpose, requestId);
    const { result, disclosureId } = await this.queries.execute<ReadNotificationQuery, Audited<Notification>>(
      new ReadNotificationQuery(reader, requireEventId(rawId)),
    );
    return notificationPage({ principal, csrf, purpose: reader.purpose, notification: result, disclosureId });
  }
}
