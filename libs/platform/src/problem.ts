import { HttpException } from '@nestjs/common';

/** One entry of a problem's `errors` list: which event, which field, which rule. */
export interface ProblemIssue {
  readonly index?: number;
  readonly field: string;
  readonly constraint: string;
  readonly message: string;
}

export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors?: readonly ProblemIssue[];
  readonly [extension: string]: unknown;
}

export const problemType = (slug: string): string => `https://throughline.dev/problems/${slug}`;

/** An RFC 9457 problem raised by application code; the filter renders it as problem+json. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    slug: string,
    title: string,
    detail?: string,
    extensions: { errors?: readonly ProblemIssue[]; [key: string]: unknown } = {},
  ) {
    const body: ProblemDetails = {
      type: problemType(slug),
      title,
      status,
      ...(detail === undefined ? {} : { detail }),
      ...extensions,
    };
    super(body, status);
  }

  get problem(): ProblemDetails {
    return this.getResponse() as ProblemDetails;
  }
}

/** 429: the caller has taken more than its share; `Retry-After` says when to try again. */
export class TooManyRequestsException extends ProblemException {
  /** Whole seconds, at least 1, as `Retry-After` carries them. */
  readonly retryAfterSeconds: number;

  constructor(
    slug: string,
    title: string,
    detail: string,
    retryAfterMs: number,
    extensions: Record<string, unknown> = {},
  ) {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(429, slug, title, detail, { ...extensions, retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
