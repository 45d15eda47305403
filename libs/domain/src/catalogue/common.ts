import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { DATA_CATEGORIES } from '../categories';

/**
 * Agency ids are the defaults or ones a partnership configures, so fields naming an agency are checked
 * by shape rather than against a closed list.
 */
export const AGENCY_ID_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;

/** Correlation ids chosen by the publishing system (appointments, actions, concerns, consents). */
export const LOCAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** A non-empty list of distinct data categories (consent scopes, concerns, claims, releases). */
export const IsDataCategoryList =
  (): PropertyDecorator =>
  (target, property): void => {
    // Applied in the order the same decorators stacked on the property would be (bottom first).
    for (const decorate of [
      IsIn(DATA_CATEGORIES, { each: true }),
      ArrayUnique(),
      ArrayMaxSize(DATA_CATEGORIES.length),
      ArrayMinSize(1),
      IsArray(),
    ])
      decorate(target, property);
  };

type Rule = (value: unknown) => boolean;

/** A catalogue rule over one value, named for the issues it raises and for the docs and schemas. */
export const valueRule =
  (name: string, passes: Rule, what: string) =>
  (): PropertyDecorator =>
  (target, property): void => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown): boolean => passes(value),
        defaultMessage: (args?: ValidationArguments): string =>
          `${args?.property ?? 'value'} must be ${what}`,
      },
    });
  };
