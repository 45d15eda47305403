import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import { RefusalRecorder } from '@throughline/audit';
import type { AuthenticatedRequest } from '@throughline/auth';
import { type HttpResponse, problemOf, setRetryAfter } from '@throughline/platform';
import { clearCookie, SESSION_COOKIE } from '../session/cookies';
import { csrfToken } from '../session/csrf';
import { homeFor } from '../session/personas';
import { html } from './html';
import { page } from './layout';

const ADVICE: Readonly<Record<number, string>> = {
  400: 'Check what you entered and try again.',
  403: 'Your role or agency may not use this page. If you need it, ask your information-governance lead.',
  404: 'It may not exist, or it may not be visible to your agency.',
  409: 'Someone else may have dealt with it already. Reload the page to see the latest.',
  413: 'What you sent was too large.',
  422: 'Check what you entered and try again.',
  429: 'You have made a great many requests in a short time. Wait a moment, then try again.',
};

/**
 * Pages answer in HTML: a problem becomes a page with its status, a missing session a sign-in. A
 * refusal of a signed-in person is put on the audit record first, as the API's are.
 */
@Catch()
@Injectable()
export class WebExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('WebPage');

  constructor(private readonly refusals: RefusalRecorder) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const request = host.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = host.switchToHttp().getResponse<HttpResponse>();
    const problem = problemOf(exception);
    if (problem.status >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    const recordedId = await this.refusals.record(request, problem);
    if (recordedId) response.header('X-Disclosure-Id', recordedId);
    if (problem.status === 401) {
      clearCookie(request, response, SESSION_COOKIE);
      if (request.method === 'GET') {
        const next = encodeURIComponent(request.originalUrl);
        response.redirect(`/app/sign-in?next=${next}`, 303);
        return;
      }
    }
    setRetryAfter(response, exception);
    const principal = problem.status === 401 ? null : (request.principal ?? null);
    const body = html`<h1>${problem.title}</h1>
      <p class="lede">Error ${problem.status}</p>
      ${problem.detail && html`<p>${problem.detail}</p>`}
      ${
        problem.errors &&
        html`<ul>
          ${problem.errors.map((issue) => html`<li>${issue.field}: ${issue.message}</li>`)}
        </ul>`
      }
      ${!problem.type.endsWith('/csrf') && html`<p>${ADVICE[problem.status] ?? 'Please try again in a moment.'}</p>`}
      <p>
        <a href="${principal ? homeFor(principal.role) : '/app/sign-in'}"
          >${principal ? 'Back to your pages' : 'Sign in'}</a
        >
      </p>`;
    const markup = page({
      title: problem.title,
      body,
      principal,
      ...(principal ? { csrf: csrfToken(request, response) } : {}),
    });
    response.status(problem.status).type('text/html; charset=utf-8').send(markup);
  }
}
