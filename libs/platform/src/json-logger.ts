import type { LoggerService } from '@nestjs/common';
import { type Logger, pino } from 'pino';

/**
 * The framework's start-up chatter: a line per module and per route (some ninety) says nothing an
 * operator acts on, so it is logged at debug, not info.
 */
const START_UP = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Every process's and thread's log as one JSON object per line (pino), never coloured text: the
 * API, the worker, the projections thread and the CLI write alike, so a log collector reads one
 * format. Nest's convention is kept: the last string argument names the context; an error's first
 * extra argument is its stack.
 */
export class JsonLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  static forLevel(level: string): JsonLogger {
    return new JsonLogger(pino({ level }));
  }

  log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    this.write(context !== undefined && START_UP.has(context) ? 'debug' : 'info', message, context);
  }

  error(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    const stack =
      typeof params[0] === 'string' && params.length > (context === undefined ? 0 : 1)
        ? params[0]
        : undefined;
    this.write('error', message, context, stack);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, contextOf(params));
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, contextOf(params));
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, contextOf(params));
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, contextOf(params));
  }

  private write(level: Level, message: unknown, context?: string, stack?: string): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const fields = {
      ...(context === undefined ? {} : { context }),
      ...(stack === undefined ? {} : { stack }),
    };
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}

const contextOf = (params: readonly unknown[]): string | undefined => {
  const last = params[params.length - 1];
  return typeof last === 'string' ? last : undefined;
};
