import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { CATALOGUE, type EventType } from './index';

export interface DataIssue {
  /** Dotted path inside `data`, e.g. `identifiers.0.scheme`. */
  readonly path: string;
  readonly constraint: string;
  readonly message: string;
}

const flatten = (errors: readonly ValidationError[], prefix: string): DataIssue[] =>
  errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      path,
      constraint,
      message,
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });

/** Validates an event's `data` against its catalogue schema; unknown properties are refused. */
export function validateEventData(type: EventType, data: unknown): DataIssue[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ path: '', constraint: 'isObject', message: 'data must be a JSON object' }];
  }
  const schema: new () => object = CATALOGUE[type].schema;
  const instance = plainToInstance(schema, data);
  return flatten(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }), '');
}
