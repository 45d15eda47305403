import {
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';

/**
 * The id the request log gave the request (apps/api/src/request-log.ts), or null: for handlers that
 * name it in a record without taking the request object itself, whichever HTTP adapter serves it.
 */
export const RequestId = createParamDecorator((_: unknown, context: ExecutionContext): string | null => {
  const { id } = context.switchToHttp().getRequest<{ id?: unknown }>();
  return typeof id === 'string' ? id : null;
});

/** What a handler answers when the answer rests on a disclosure record. */
export interface WithDisclosure<T> {
  readonly result: T;
  readonly disclosureId: string;
}

const isWithDisclosure = (value: unknown): value is WithDisclosure<unknown> =>
  typeof value === 'object' &&
  value !== null &&
  'result' in value &&
  typeof (value as { disclosureId?: unknown }).disclosureId === 'string';

/**
 * Answers a handler's `{ result, disclosureId }` with the result, the record's id going out in
 * X-Disclosure-Id; a page that shows several reads returns their ids joined. The header is set
 * through `header()`, which Express and Fastify responses both have.
 */
@Injectable()
export class DisclosureIdHeader implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((value: unknown) => {
        if (!isWithDisclosure(value)) return value;
        context
          .switchToHttp()
          .getResponse<{ header(name: string, value: string): unknown }>()
          .header('X-Disclosure-Id', value.disclosureId);
        return value.result;
      }),
    );
  }
}

type HeaderSetter = { header(name: string, value: string): unknown };

/** Sets a download's type and name once the handler has answered, so a refusal is never saved as the file. */
class AttachmentHeaders implements NestInterceptor {
  constructor(
    private readonly contentType: string,
    private readonly filename: string,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((value: unknown) => {
        const response = context.switchToHttp().getResponse<HeaderSetter>();
        response.header('Content-Type', this.contentType);
        response.header('Content-Disposition', `attachment; filename="${this.filename}"`);
        return value;
      }),
    );
  }
}

/** The route answers a file to save (a fixed name of plain characters). */
export const AsDownload = (contentType: string, filename: string): MethodDecorator & ClassDecorator =>
  UseInterceptors(new AttachmentHeaders(contentType, filename));
