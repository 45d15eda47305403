import {
  Controller,
  Get,
  Headers,
  HttpCode,
  type MessageEvent,
  Param,
  Post,
  Query,
  Sse,
  UseGuards,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal, type Principal, requirePurpose } from '@throughline/auth';
import { RequestId } from '@throughline/platform';
import { map, type Observable } from 'rxjs';
import type { Notification } from '../../domain/inbox';
import type { Audited, Reader } from '../audited-read/audited-read';
import { InboxFeed, type InboxSignal } from './inbox-feed';
import { InboxStreamGuard } from './inbox-stream.guard';
import {
  DEFAULT_INBOX_LIMIT,
  lastEventPosition,
  MAX_INBOX_LIMIT,
  parseInboxPage,
  requireEventId,
  streamStart,
} from './inbox-page';
import { CountUnreadQuery, type InboxList, ListInboxQuery, ReadNotificationQuery } from './inbox.queries';

const PURPOSE_HEADER = {
  name: 'X-Purpose-Of-Use',
  required: true,
  description: 'case-management, safeguarding, continuity-of-care or enforcement: what the inbox is cut for',
};

/** Each answer names its disclosure record in the body, as the header would: no response object needed. */
type Recorded<T> = T & { readonly disclosureId: string };

const recorded = <T extends object>({ result, disclosureId }: Audited<T>): Recorded<T> => ({
  ...result,
  disclosureId,
});

/**
 * A person's notifications (arrests, custody moves, planned releases, releases, wanted, missed
 * appointments, breaches and recalls about the people their agency works with), decided by the
 * rule the Kafka alerts follow and cut for the reader like every read.
 */
@ApiTags('inbox')
@ApiBearerAuth()
@ApiHeader(PURPOSE_HEADER)
@Controller('v1/inbox')
@UseGuards(AuthGuard)
export class InboxController {
  constructor(
    private readonly queries: QueryBus,
    private readonly feed: InboxFeed,
  ) {}

  private reader(principal: Principal, purposeHeader: string | undefined, requestId: string | null): Reader {
    return { principal, purpose: requirePurpose(purposeHeader), requestId };
  }

  @Get()
  @ApiOperation({
    summary: 'Your notifications, newest first',
    description:
      'A page of notifications about the people your agency works with, each cut for you; one disclosure record names every subject on the page (its id is `disclosureId`). `before` is the `nextBefore` of the previous page.',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: `1-${MAX_INBOX_LIMIT}, default ${DEFAULT_INBOX_LIMIT}`,
  })
  @ApiQuery({ name: 'before', required: false, type: Number, description: 'nextBefore of the previous page' })
  @ApiQuery({ name: 'unread', required: false, type: Boolean, description: 'only those not yet read' })
  @ApiQuery({
    name: 'mine',
    required: false,
    type: Boolean,
    description: 'only people you are key worker for',
  })
  @ApiOkResponse({ description: 'A page of notifications' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purposeHeader: string | undefined,
    @RequestId() requestId: string | null,
    @Query('limit') limit?: unknown,
    @Query('before') before?: unknown,
    @Query('unread') unread?: unknown,
    @Query('mine') mine?: unknown,
  ): Promise<Recorded<InboxList>> {
    const reader = this.reader(principal, purposeHeader, requestId);
    const page = parseInboxPage({ limit, before, unread, mine });
    return recorded(
      await this.queries.execute<ListInboxQuery, Audited<InboxList>>(new ListInboxQuery(reader, page)),
    );
  }

  @Get('unread')
  @ApiOperation({
    summary: 'How many of your notifications are unread',
    description: 'A count names no one, so it is not recorded as a disclosure.',
  })
  @ApiOkResponse({ description: 'The unread count' })
  async unread(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purposeHeader: string | undefined,
    @RequestId() requestId: string | null,
  ): Promise<{ unread: number }> {
    const reader = this.reader(principal, purposeHeader, requestId);
    return { unread: await this.queries.execute<CountUnreadQuery, number>(new CountUnreadQuery(reader)) };
  }

  @Sse('stream')
  @UseGuards(InboxStreamGuard)
  @ApiOperation({
    summary: 'Your notifications as they arrive (server-sent events)',
    description:
      'An `unread` event with the count at once, then a `notification` event for each notification as the log is applied (from any process), and `unread` again whenever the count changes. Each event `id` is a log position: reconnecting with `Last-Event-ID` sends what arrived since. Every push of notifications is one disclosure record.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({
    name: 'from',
    required: false,
    type: Number,
    description: "a list's `asOf`: send what arrived after it first (Last-Event-ID wins when both are sent)",
  })
  @ApiOkResponse({ description: 'An event stream of `notification` and `unread` events' })
  stream(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purposeHeader: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @RequestId() requestId: string | null,
    @Query('from') from?: unknown,
  ): Observable<MessageEvent> {
    const reader = this.reader(principal, purposeHeader, requestId);
    const since = lastEventPosition(lastEventId) ?? streamStart(from);
    return this.feed.watch(reader, since).pipe(map(toMessage));
  }

  @Get(':eventId')
  @ApiOperation({
    summary: 'Open one notification',
    description: 'Recorded as a disclosure of that event about that subject, and marked read for you.',
  })
  @ApiOkResponse({ description: 'The notification' })
  async open(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purposeHeader: string | undefined,
    @RequestId() requestId: string | null,
    @Param('eventId') rawId: string,
  ): Promise<Recorded<Notification>> {
    return this.read(principal, purposeHeader, requestId, rawId);
  }

  @Post(':eventId/read')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark one notification read',
    description: 'The same as opening it: a disclosure record, then the mark.',
  })
  @ApiOkResponse({ description: 'The notification, read' })
  async markRead(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purposeHeader: string | undefined,
    @RequestId() requestId: string | null,
    @Param('eventId') rawId: string,
  ): Promise<Recorded<Notification>> {
    return this.read(principal, purposeHeader, requestId, rawId);
  }

  private async read(
    principal: Principal,
    purposeHeader: string | undefined,
    requestId: string | null,
    rawId: string,
  ): Promise<Recorded<Notification>> {
    const reader = this.reader(principal, purposeHeader, requestId);
    const eventId = requireEventId(rawId);
    return recorded(
      await this.queries.execute<ReadNotificationQuery, Audited<Notification>>(
        new ReadNotificationQuery(reader, eventId),
      ),
    );
  }
}

/** One signal as a server-sent event: its kind as the event name, its log position as the id. */
export const toMessage = (signal: InboxSignal): MessageEvent => ({
  type: signal.type,
  id: String(signal.position),
  data: signal.type === 'notification' ? signal.notification : { unread: signal.unread },
});
