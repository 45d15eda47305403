import {
  type DataCategory,
  expiryInstant,
  type PublishedEvent,
  type PurposeOfUse,
} from '@throughline/domain';

export interface ConsentGrant {
  /** The consent event this grant rests on (the audit record names it). */
  readonly eventId: string;
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

/** What decides sharing beyond the agreement: the subject's consents, open concerns and break-glass claims. */
export interface SharingState {
  /** Keyed `category|recipient|purpose`: consent is specific to all three. */
  readonly consents: Readonly<Record<string, ConsentGrant>>;
  readonly concerns: Readonly<Record<string, OpenConcern>>;
  readonly breakGlass: readonly BreakGlassGrant[];
}

export const emptySharingState = (): SharingState => ({ consents: {}, concerns: {}, breakGlass: [] });

export const consentKey = (category: string, recipient: string, purpose: string): string =>
  `${category}|${recipient}|${purpose}`;

const SHARING_TYPES = new Set<string>([
  'iom.consent.given.v1',
  'iom.consent.withdrawn.v1',
  'iom.consent.refused.v1',
  'iom.safeguarding.concern-raised.v1',
  'iom.safeguarding.concern-closed.v1',
  'iom.break-glass.claimed.v1',
]);

/** True for the events that change who may see a subject's data. */
export const changesSharing = (type: string): boolean => SHARING_TYPES.has(type);

const scopeKeys = (scope: {
  readonly categories: readonly DataCategory[];
  readonly recipients: readonly string[];
  readonly purposes: readonly PurposeOfUse[];
}): string[] =>
  scope.categories.flatMap((category) =>
    scope.recipients.flatMap((recipient) =>
      scope.purposes.map((purpose) => consentKey(category, recipient, purpose)),
    ),
  );

/** Folds a sharing event into the state; other events leave it as it is. Pure. */
export function evolveSharing(state: SharingState, event: PublishedEvent): SharingState {
  switch (event.type) {
    case 'iom.consent.given.v1': {
      const consents = { ...state.consents };
      for (const key of scopeKeys(event.data.scope))
        consents[key] = {
          eventId: event.id,
          // Only an absent expiry means none: anything else present and unreadable has passed.
          expires: event.data.expires == null ? null : expiryInstant(event.data.expires),
        };
      return { ...state, consents };
    }
    case 'iom.consent.withdrawn.v1':
    case 'iom.consent.refused.v1': {
      const consents = { ...state.consents };
      for (const key of scopeKeys(event.data.scope)) delete consents[key];
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
        expires: expiryInstant(expires),
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
    default:
      return state;
  }
}
