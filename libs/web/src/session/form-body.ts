import express, { type NextFunction, type Request, type Response } from 'express';
import { html } from '../html/html';
import { page } from '../html/layout';

/* The API parses JSON only; page forms post application/x-www-form-urlencoded, small and flat. */
const urlencoded = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

/** Parses form posts for the page routes; a bad body gets a page, not a stack trace. */
export function formBody(request: Request, response: Response, next: NextFunction): void {
  urlencoded(request, response, (error?: unknown) => {
    if (!error) {
      next();
      return;
    }
    const status = (error as { status?: number }).status === 413 ? 413 : 400;
    const title = status === 413 ? 'Form too large' : 'Form not understood';
    response
      .status(status)
      .type('html')
      .send(
        page({
          title,
          body: html`<h1>${title}</h1>
            <p class="lede">Error ${status}</p>
            <p>Go back, check what you entered and try again.</p>`,
        }),
      );
  });
}

/**
 * Security headers for every page: no framing, no inline script or style, nothing cached. The only
 * script is the pages' own file (the inbox's count and live list), which may talk to this origin.
 */
export function pageHeaders(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  response.setHeader('X-Content-Type-Options', 'nosniff');
  // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own form posts.
  response.setHeader('Referrer-Policy', 'same-origin');
  response.setHeader('X-Frame-Options', 'DENY');
  if (!response.getHeader('Cache-Control')) response.setHeader('Cache-Control', 'no-store');
  next();
}
