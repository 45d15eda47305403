import {
  type DataCategory,
  DEFAULT_TIME_ZONE,
  expiryInstant,
  type PublishedEvent,
  type PurposeOfUse,
} from '@throughline/domain';

export interface ConsentGrant {
  /** The consent event this grant rests on (the audit record names it). */
  readonly eventId: string;
  /**
   * The agency that recorded the consent: the controller holding the signed form. A consent opens
   * that agency's data only, so no agency can widen access to another's.
   */
  readonly controller: string;
  readonly expires: string | null;
}

export interface OpenConcern {
  readonly eventId: string;
  readonly concernId: string;
  readonly kind: string;
  readonly legalBasis: string;
  readonly categories: readonly DataCategory[];
  readonly recipients: readonly string[];
  readonly expires: string;
}

export interface BreakGlassGrant {
  readonly eventId: string;
  readonly user: string;
  readonly agency: string;
  readonly categories: readonly DataCategory[];
  readonly expiresAt: string;
  readonly justification: string;
}

/**
 * A restriction of processing (DPA 2018 s.47) in force: the owning agency's own data of the
 * categories is beyond use, for every reader, for any purpose but those named.
 */
export interface Restriction {
  readonly eventId: string;
  readonly restrictionId: string;
  /** The agency that restricted its own data: only its events are restricted. */
  readonly agency: string;
  readonly categories: readonly DataCategory[];
  /** The purposes the data may still be used for; empty: none. */
  readonly purposes: readonly PurposeOfUse[];
  readonly reason: string;
  readonly legalBasis: string;
  readonly restrictedBy: string;
  readonly restrictedAt: string;
}

/**
 * What decides sharing beyond the agreement: the subject's consents, open concerns, break-glass
 * claims and restrictions.
 */
export interface SharingState {
  /** Keyed `controller|category|recipient|purpose`: consent is specific to all four. */
  readonly consents: Readonly<Record<string, ConsentGrant>>;
  readonly concerns: Readonly<Record<string, OpenConcern>>;
  readonly breakGlass: readonly BreakGlassGrant[];
  /**
   * By restriction id. Optional so that a state stored before restrictions existed reads as one
   * with none.
   */
  readonly restrictions?: Readonly<Record<string, Restriction>>;
}

export const emptySharingState = (): SharingState => ({
  consents: {},
  concerns: {},
  breakGlass: [],
  restrictions: {},
});

/**
 * The purposes one agency's data of one category may still be used for, or null when no
 * restriction holds it: with two restrictions on it, only the purposes both allow. The sharing
 * engine asks here for the read and the widest cut alike, so a restriction is decided once.
 */
export function restrictedPurposes(
  sharing: SharingState,
  agency: string,
  category: DataCategory,
): readonly PurposeOfUse[] | null {
  let allowed: readonly PurposeOfUse[] | null = null;
  for (const restriction of Object.values(sharing.restrictions ?? {})) {
    if (restriction.agency !== agency || !restriction.categories.includes(category)) continue;
    allowed =
      allowed === null
        ? restriction.purposes
        : allowed.filter((purpose) => restriction.purposes.includes(purpose));
  }
  return allowed;
}

/**
 * Whether an agency's data of a category may be used for the purpose: unless a restriction holds it
 * and does not name the purpose. For the uses of a subject's events that are not reads cut by the
 * engine's ability (the tasking board's consolidated flags and released detail).
 */
export const restrictionAllows = (
  sharing: SharingState,
  agency: string,
  category: DataCategory,
  purpose: PurposeOfUse,
): boolean => restrictedPurposes(sharing, agency, category)?.includes(purpose) ?? true;

/** Every (agency, category) a restriction holds, with the purposes still allowed for it. */
export function restrictedKinds(
  sharing: SharingState,
): readonly { agency: string; category: DataCategory; purposes: readonly PurposeOfUse[] }[] {
  const kinds = new Map<string, { agency: string; category: DataCategory }>();
  for (const restriction of Object.values(sharing.restrictions ?? {}))
    for (const category of restriction.categories)
      kinds.set(`${restriction.agency}|${category}`, { agency: restriction.agency, category });
  return [...kinds.keys()].sort().map((key) => {
    const kind = kinds.get(key)!;
    return { ...kind, purposes: restrictedPurposes(sharing, kind.agency, kind.category) ?? [] };
  });
}

export const consentKey = (
  controller: string,
  category: string,
  recipient: string,
  purpose: string,
): string => `${controller}|${category}|${recipient}|${purpose}`;

/** One question a consent may answer: may `recipient` see `controller`'s `category` data for `purpose`? */
export interface ConsentQuestion {
  /** The agency whose data would be seen: the publisher of the events in question. */
  readonly controller: string;
  readonly category: DataCategory;
  readonly recipient: string;
  readonly purpose: PurposeOfUse;
}

/**
 * The restrictions in force after a restriction or its lifting: a restriction is the restricting
 * agency's, and only that agency lifts it (the platform checks it before recording). The one fold
 * of restrictions, for the sharing state and the records review alike.
 */
export function evolveRestrictions(
  restrictions: Readonly<Record<string, Restriction>>,
  event: PublishedEvent,
): Readonly<Record<string, Restriction>> {
  if (event.type === 'iom.record.restricted.v1') {
    const { restrictionId, categories, purposes, reason, legalBasis, restrictedBy } = event.data;
    const restriction: Restriction = {
      eventId: event.id,
      restrictionId,
      agency: event.meta.agency,
      categories,
      purposes,
      reason,
      legalBasis,
      restrictedBy,
      restrictedAt: event.meta.time,
    };
    return { ...restrictions, [restrictionId]: restriction };
  }
  if (event.type === 'iom.record.restriction-lifted.v1') {
    if (restrictions[event.data.restrictionId]?.agency !== event.meta.agency) return restrictions;
    const kept = { ...restrictions };
    delete kept[event.data.restrictionId];
    return kept;
  }
  return restrictions;
}

/**
 * The consent that answers yes, if any: one recorded by the controller itself. The sharing engine
 * asks here for the read and the widest cut alike, so consent is decided once. With `now` (a UTC
 * instant) only a consent unexpired then counts; without it, any held (the widest cut).
 */
export function consentOpening(
  sharing: SharingState,
  question: ConsentQuestion,
  now?: string,
): ConsentGrant | undefined {
  const { controller, category, recipient, purpose } = question;
  const grant = sharing.consents[consentKey(controller, category, recipient, purpose)];
  if (!grant || grant.controller !== controller) return undefined;
  if (now !== undefined && grant.expires !== null && grant.expires <= now) return undefined;
  return grant;
}

/** A consent in force for one recipient: whose data it opens, which category, for which purpose, until when. */
export interface ConsentInForce extends Omit<ConsentQuestion, 'recipient'> {
  readonly eventId: string;
  readonly expires: string | null;
}

/**
 * The consents in force at `now` (a UTC instant) that open data to `recipient`, each by the rule
 * `consentOpening` answers by, so a reader is told exactly the consents its reads rest on.
 */
export function consentsInForceFor(sharing: SharingState, recipient: string, now: string): ConsentInForce[] {
  const found: ConsentInForce[] = [];
  for (const key of Object.keys(sharing.consents).sort()) {
    const [controller, category, to, purpose] = key.split('|') as [
      string,
      DataCategory,
      string,
      PurposeOfUse,
    ];
    if (to !== recipient) continue;
    const grant = consentOpening(sharing, { controller, category, recipient, purpose }, now);
    if (grant) found.push({ controller, category, purpose, eventId: grant.eventId, expires: grant.expires });
  }
  return found;
}

/** The agencies that have recorded a consent still held: the only data consent can open. */
export const consentControllers = (sharing: SharingState): readonly string[] =>
  [...new Set(Object.values(sharing.consents).map((grant) => grant.controller))].sort();

/** The events that change who may see a subject's data. */
export const SHARING_EVENT_TYPES: readonly string[] = [
  'iom.consent.given.v1',
  'iom.consent.withdrawn.v1',
  'iom.consent.refused.v1',
  'iom.safeguarding.concern-raised.v1',
  'iom.safeguarding.concern-closed.v1',
  'iom.break-glass.claimed.v1',
  'iom.record.restricted.v1',
  'iom.record.restriction-lifted.v1',
];

const SHARING_TYPES = new Set<string>(SHARING_EVENT_TYPES);

/** True for the events that change who may see a subject's data. */
export const changesSharing = (type: string): boolean => SHARING_TYPES.has(type);

interface Scope {
  readonly categories: readonly DataCategory[];
  readonly recipients: readonly string[];
  readonly purposes: readonly PurposeOfUse[];
}

const scopeKeys = (controller: string, scope: Scope): string[] =>
  scope.categories.flatMap((category) =>
    scope.recipients.flatMap((recipient) =>
      scope.purposes.map((purpose) => consentKey(controller, category, recipient, purpose)),
    ),
  );

const inScope = (grantKey: string, scope: Scope): boolean => {
  const [, category = '', recipient = '', purpose = ''] = grantKey.split('|');
  return (
    (scope.categories as readonly string[]).includes(category) &&
    scope.recipients.includes(recipient) &&
    (scope.purposes as readonly string[]).includes(purpose)
  );
};

/**
 * Folds a sharing event into the state; other events leave it as it is. Pure. A date-only expiry
 * is kept as the instant it ends in the partnership's time zone (see `timeZoneOf`), as the
 * agreement in force when the event is folded names it.
 */
export function evolveSharing(
  state: SharingState,
  event: PublishedEvent,
  timeZone: string = DEFAULT_TIME_ZONE,
): SharingState {
  switch (event.type) {
    case 'iom.consent.given.v1': {
      const consents = { ...state.consents };
      const controller = event.meta.agency;
      for (const key of scopeKeys(controller, event.data.scope))
        consents[key] = {
          eventId: event.id,
          controller,
          // Only an absent expiry means none: anything else present and unreadable has passed.
          expires: event.data.expires == null ? null : expiryInstant(event.data.expires, timeZone),
        };
      return { ...state, consents };
    }
    case 'iom.consent.withdrawn.v1':
    case 'iom.consent.refused.v1': {
      // Narrowing widens nothing: the person's withdrawal, told to any agency, ends every
      // consent in its scope, whichever controller recorded it.
      const consents = Object.fromEntries(
        Object.entries(state.consents).filter(([key]) => !inScope(key, event.data.scope)),
      );
      return { ...state, consents };
    }
    case 'iom.safeguarding.concern-raised.v1': {
      const { concernId, kind, legalBasis, categories, recipients, expires } = event.data;
      const concern: OpenConcern = {
        eventId: event.id,
        concernId,
        kind,
        legalBasis,
        categories,
        recipients,
        expires: expiryInstant(expires, timeZone),
      };
      return { ...state, concerns: { ...state.concerns, [concernId]: concern } };
    }
    case 'iom.safeguarding.concern-closed.v1': {
      const concerns = { ...state.concerns };
      delete concerns[event.data.concernId];
      return { ...state, concerns };
    }
    case 'iom.break-glass.claimed.v1': {
      const { user, agency, categories, expiresAt, justification } = event.data;
      return {
        ...state,
        breakGlass: [
          ...state.breakGlass,
          { eventId: event.id, user, agency, categories, expiresAt, justification },
        ],
      };
    }
    case 'iom.record.restricted.v1':
    case 'iom.record.restriction-lifted.v1':
      return { ...state, restrictions: evolveRestrictions(state.restrictions ?? {}, event) };
    default:
      return state;
  }
}
