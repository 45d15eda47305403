import type { LogLevel } from '@nestjs/common';

const LEVELS: Record<string, LogLevel[] | false> = {
  silent: false,
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Nest's logger levels for a `LOG_LEVEL`, for the processes and threads that log without pino. */
export function nestLogLevels(level: string): LogLevel[] | false {
  return LEVELS[level] ?? LEVELS.info!;
}
