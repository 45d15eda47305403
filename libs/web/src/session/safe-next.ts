/** Only our own pages: a path under /app, never another origin (no open redirect). */
export const safeNext = (raw: unknown): string | null =>
  typeof raw === 'string' && /^\/app(\/|\?|$)/.test(raw) && !raw.includes('\\') && !raw.startsWith('//')
    ? raw
    : null;
