import { ValidateIf } from 'class-validator';
import { isCalendarDate, isDateOrInstant, isInstant } from '../instants';
import { valueRule } from './common';

/** A real calendar day, `YYYY-MM-DD` (see instants for the rule). */
export const IsCalendarDate = valueRule('isCalendarDate', isCalendarDate, 'a real date written YYYY-MM-DD');

/** A real instant with seconds and a zone, `YYYY-MM-DDTHH:MM:SS(.fraction)?(Z|±HH:MM)`. */
export const IsInstant = valueRule(
  'isInstant',
  isInstant,
  'a real instant written YYYY-MM-DDTHH:MM:SS with an optional fraction and Z or ±HH:MM',
);

/** Either form, for fields whose precision is the publisher's to choose (expiries, starts). */
export const IsDateOrInstant = valueRule(
  'isDateOrInstant',
  isDateOrInstant,
  'a real date written YYYY-MM-DD or an instant written YYYY-MM-DDTHH:MM:SS with Z or ±HH:MM',
);

/**
 * The field may be left out; when present its rules apply, so `null` is refused like any other
 * wrong value. (class-validator's own `IsOptional` lets `null` through, which readers of the data
 * would then meet as a value.)
 */
export const Optional = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);
