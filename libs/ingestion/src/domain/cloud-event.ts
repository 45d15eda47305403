import {
  CATALOGUE,
  type DataIssue,
  ENVELOPE_RULES,
  type EventType,
  exceedsBounds,
  identifierClaimRefusal,
  identifierUnlinkedBy,
  identifiersLinkedBy,
  isEventType,
  isExtensionValue,
  isInstant,
  type IssuingAgencies,
  type LinkedIdentifier,
  parseSubjectReference,
  type SubjectReference,
  validateEventData,
} from '@throughline/domain';

/** A CloudEvent that passed envelope and data validation. */
export interface IncomingEvent {
  readonly index: number;
  readonly id: string;
  readonly source: string;
  readonly type: EventType;
  readonly subject: string;
  /** The subject as named, canonical (a local identifier in the publisher's namespace). */
  readonly subjectRef: SubjectReference;
  readonly time: string;
  readonly data: Record<string, unknown>;
  /** The identifiers a registration or link gives its subject, canonical (`identifiersLinkedBy`). */
  readonly linked: readonly LinkedIdentifier[];
}

/** Why an event was refused; `status` 403 for authority, 422 for content. */
export interface EventIssue {
  readonly index: number;
  readonly field: string;
  readonly constraint: string;
  readonly message: string;
  readonly status: 403 | 409 | 422;
}

export interface Publisher {
  readonly agency: string;
  readonly sources: readonly string[];
}

const CORE_ATTRIBUTES: ReadonlySet<string> = new Set(ENVELOPE_RULES.coreAttributes);

const issue = (
  index: number,
  field: string,
  constraint: string,
  message: string,
  status: EventIssue['status'] = 422,
): EventIssue => ({
  index,
  field,
  constraint,
  message,
  status,
});

/** An attribute's value, read only from the event's own properties, never from its prototype. */
const own = (raw: object, field: string): unknown =>
  Object.hasOwn(raw, field) ? (raw as Record<string, unknown>)[field] : undefined;

const requiredString = (
  raw: Record<string, unknown>,
  field: string,
  index: number,
  max = 256,
): EventIssue | undefined => {
  const value = raw[field];
  if (value === undefined || value === null) return issue(index, field, 'required', `${field} is required`);
  if (typeof value !== 'string' || value.length === 0)
    return issue(index, field, 'isString', `${field} must be a non-empty string`);
  if (value.length > max)
    return issue(index, field, 'maxLength', `${field} must be at most ${max} characters`);
  return undefined;
};

/**
 * Validates one CloudEvent (structured mode, already parsed) against the envelope rules, the
 * catalogue schema of its type and the publisher's authority, including which identifiers it may
 * claim (`issuers`, from the agreement in force). Pure: no store, no clock.
 */
export function validateCloudEvent(
  raw: unknown,
  index: number,
  publisher: Publisher,
  issuers: IssuingAgencies,
): { event: IncomingEvent; issues: [] } | { event?: undefined; issues: EventIssue[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { issues: [issue(index, '', 'isObject', 'each event must be a JSON object')] };
  }
  // Before anything walks the event: the libraries that check data recurse, and would overflow.
  const bounds = exceedsBounds(raw);
  if (bounds) return { issues: [issue(index, bounds.path, bounds.constraint, bounds.message)] };
  // The attributes, each read once from the event's own properties.
  const ce: Record<string, unknown> = {};
  for (const name of CORE_ATTRIBUTES) ce[name] = own(raw, name);
  const issues: EventIssue[] = [];
  const push = (found: EventIssue | undefined): void => {
    if (found) issues.push(found);
  };

  if (ce.specversion !== '1.0') push(issue(index, 'specversion', 'equals', 'specversion must be "1.0"'));
  push(requiredString(ce, 'id', index, ENVELOPE_RULES.idMaxLength));
  push(requiredString(ce, 'source', index, ENVELOPE_RULES.sourceMaxLength));
  if (typeof ce.source === 'string' && ce.source.length > 0) {
    if (!ENVELOPE_RULES.uriPattern.test(ce.source))
      push(issue(index, 'source', 'isUri', 'source must be a URI, e.g. urn:throughline:police:custody'));
    else if (!publisher.sources.includes(ce.source)) {
      push(
        issue(index, 'source', 'boundSource', `source "${ce.source}" is not bound to this credential`, 403),
      );
    }
  }
  push(requiredString(ce, 'type', index, ENVELOPE_RULES.typeMaxLength));
  let type: EventType | undefined;
  if (typeof ce.type === 'string' && ce.type.length > 0) {
    if (!isEventType(ce.type))
      push(issue(index, 'type', 'knownType', `"${ce.type}" is not a type in the event catalogue`));
    else {
      type = ce.type;
      const spec = CATALOGUE[type];
      const publishers = spec.publishers;
      if (spec.recordedByPlatform) {
        push(
          issue(
            index,
            'type',
            'recordedByPlatform',
            `${type} is recorded by the platform itself and cannot be published`,
            403,
          ),
        );
      } else if (publishers !== 'any' && !(publishers as readonly string[]).includes(publisher.agency)) {
        push(
          issue(
            index,
            'type',
            'publishingAuthority',
            `agency "${publisher.agency}" may not publish ${type} (publishers: ${publishers.join(', ')})`,
            403,
          ),
        );
      }
    }
  }
  push(requiredString(ce, 'subject', index, ENVELOPE_RULES.subjectMaxLength));
  let subjectRef: SubjectReference | undefined;
  if (typeof ce.subject === 'string' && ce.subject.length > 0) {
    const parsed = parseSubjectReference(ce.subject, publisher.agency);
    if (parsed.ok) subjectRef = parsed.value;
    else push(issue(index, 'subject', 'subjectReference', `subject ${parsed.reason}`));
  }
  push(requiredString(ce, 'time', index, 40));
  if (typeof ce.time === 'string' && !isInstant(ce.time)) {
    push(
      issue(
        index,
        'time',
        'isInstant',
        'time must be a real instant written YYYY-MM-DDTHH:MM:SS with an optional fraction and Z or ±HH:MM, e.g. 2025-03-01T09:30:00Z',
      ),
    );
  }
  if (
    ce.datacontenttype !== undefined &&
    (typeof ce.datacontenttype !== 'string' ||
      !ENVELOPE_RULES.dataContentTypePattern.test(ce.datacontenttype))
  ) {
    push(issue(index, 'datacontenttype', 'isJson', 'datacontenttype must be application/json'));
  }
  if (
    ce.dataschema !== undefined &&
    (typeof ce.dataschema !== 'string' || !ENVELOPE_RULES.uriPattern.test(ce.dataschema))
  ) {
    push(issue(index, 'dataschema', 'isUri', 'dataschema must be a URI'));
  }
  for (const name of Object.keys(raw)) {
    if (CORE_ATTRIBUTES.has(name)) continue;
    if (!ENVELOPE_RULES.extensionNamePattern.test(name)) {
      push(issue(index, name, 'attributeName', `"${name}" is not a valid CloudEvents attribute name`));
    } else if (!isExtensionValue(own(raw, name))) {
      push(
        issue(
          index,
          name,
          'attributeValue',
          `extension attribute ${name} must be a string, integer or boolean`,
        ),
      );
    }
  }
  if (ce.data === undefined || ce.data === null) push(issue(index, 'data', 'required', 'data is required'));
  else if (type) {
    for (const dataIssue of validateEventData(type, ce.data)) push(fromDataIssue(index, dataIssue));
  }
  // Read from what is valid of the event, so a refused claim is named beside any other issue.
  const linked = type ? identifiersLinkedBy(type, ce.data, ce.subject, publisher.agency) : [];
  for (const { identifier, field, claimed } of linked) {
    const refusal = claimed ? identifierClaimRefusal(identifier, publisher.agency, issuers) : undefined;
    if (refusal) push(issue(index, field, 'identifierIssuer', refusal, 403));
  }
  // Only the agency that may link an identifier may take it away again.
  const unlinked = type ? identifierUnlinkedBy(type, ce.data, publisher.agency) : undefined;
  const unlinkRefusal = unlinked && identifierClaimRefusal(unlinked, publisher.agency, issuers);
  if (unlinkRefusal) push(issue(index, 'data.value', 'identifierIssuer', unlinkRefusal, 403));

  if (issues.length > 0 || !type || !subjectRef) return { issues };
  return {
    issues: [],
    event: {
      index,
      id: ce.id as string,
      source: ce.source as string,
      type,
      subject: ce.subject as string,
      subjectRef,
      time: ce.time as string,
      data: ce.data as Record<string, unknown>,
      linked,
    },
  };
}

const fromDataIssue = (index: number, dataIssue: DataIssue): EventIssue =>
  issue(index, dataIssue.path ? `data.${dataIssue.path}` : 'data', dataIssue.constraint, dataIssue.message);
