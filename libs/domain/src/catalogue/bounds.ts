/**
 * How large one event may be, envelope and data together. JSON parsers take any depth and size,
 * but the libraries that read an event afterwards walk it recursively: thousands of levels
 * overflow their stack. These limits are far above what the catalogue allows (its largest event
 * is a few levels deep, with a few hundred values and a few thousand characters), so only
 * malformed or hostile input meets them.
 */
export const EVENT_LIMITS = {
  /** Objects and arrays nested in one another, the event itself counting as the first level. */
  maxDepth: 32,
  /** Values of any kind at any depth: objects, arrays, strings, numbers, booleans, nulls. */
  maxValues: 2_000,
  /** Characters in every string and property name together. */
  maxCharacters: 100_000,
} as const;

export type EventLimits = { readonly [K in keyof typeof EVENT_LIMITS]: number };

export interface BoundsIssue {
  /** Dotted path of the object or array where a limit was passed; empty for the value itself. */
  readonly path: string;
  readonly constraint: 'maxDepth' | 'maxSize';
  readonly message: string;
}

/** A container met on the walk; its path is only spelled out when an issue names it. */
interface Container {
  readonly value: object;
  readonly depth: number;
  readonly parent: Container | undefined;
  readonly key: string;
}

const pathOf = (container: Container): string => {
  const keys: string[] = [];
  for (let at: Container | undefined = container; at?.parent; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
};

/**
 * The first limit a parsed JSON value passes, if any. The walk keeps its own stack rather than
 * recursing, so it is itself safe on any depth, and it reads only own keys.
 */
export function exceedsBounds(value: unknown, limits: EventLimits = EVENT_LIMITS): BoundsIssue | undefined {
  let values = 1;
  let characters = typeof value === 'string' ? value.length : 0;
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Container[] = [{ value, depth: 1, parent: undefined, key: '' }];
  const tooLarge = (container: Container): BoundsIssue => ({
    path: pathOf(container),
    constraint: 'maxSize',
    message: `an event may hold at most ${limits.maxValues} values and ${limits.maxCharacters} characters of text`,
  });
  for (let container = stack.pop(); container; container = stack.pop()) {
    if (container.depth > limits.maxDepth) {
      return {
        path: pathOf(container),
        constraint: 'maxDepth',
        message: `objects and arrays may be nested at most ${limits.maxDepth} deep`,
      };
    }
    const isArray = Array.isArray(container.value);
    const keys = isArray ? undefined : Object.keys(container.value);
    const count = isArray ? (container.value as unknown[]).length : keys!.length;
    values += count;
    if (values > limits.maxValues) return tooLarge(container);
    for (let i = 0; i < count; i += 1) {
      const key = keys ? keys[i]! : String(i);
      if (keys) characters += key.length;
      const child: unknown = keys
        ? (container.value as Record<string, unknown>)[key]
        : (container.value as unknown[])[i];
      if (typeof child === 'string') characters += child.length;
      else if (typeof child === 'object' && child !== null) {
        stack.push({ value: child, depth: container.depth + 1, parent: container, key });
      }
    }
    if (characters > limits.maxCharacters) return tooLarge(container);
  }
  return undefined;
}
