import { CATALOGUE, type DataCategory, EVENT_TYPES } from '@throughline/domain';

/**
 * The sharing rules of docs/sharing.md, written a second time and as plainly as possible, so the
 * tests can hold the engine to the document. Nothing here calls the policy, the sharing state or the
 * category bases: if the two disagree, the document says which is wrong.
 *
 * Kept to the rules the document states in words. Corrections and redactions are the catalogue's
 * timeline rule, not a sharing rule, and are left to the need-to-know properties.
 */

export interface OracleClause {
  readonly id: string;
  readonly recipients: readonly string[];
  readonly categories: readonly string[];
  readonly basis: 'always' | 'consent' | 'safeguarding' | 'never';
  readonly purposes: readonly string[];
  readonly fields?: readonly string[];
  readonly when?: {
    readonly types?: readonly string[];
    readonly data?: Readonly<Record<string, readonly string[]>>;
  };
}

export interface OracleAgreement {
  readonly agencies: readonly string[];
  /** Role -> view -> purposes. */
  readonly roles: Readonly<Record<string, Readonly<Partial<Record<string, readonly string[]>>>>> | null;
  readonly clauses: readonly OracleClause[];
  readonly taskingMeeting?: { readonly roles: readonly string[] };
}

export interface OracleReader {
  readonly kind: 'person' | 'system';
  readonly user: string;
  readonly agency: string;
  readonly role: string;
}

/** An event as the log holds it: who published it is the credential's agency. */
export interface OracleEvent {
  readonly id: string;
  readonly type: string;
  readonly category: string;
  readonly publisher: string;
  readonly data: Readonly<Record<string, unknown>>;
}

interface Scope {
  readonly categories: readonly string[];
  readonly recipients: readonly string[];
  readonly purposes: readonly string[];
}

/** What the subject's sharing events leave in force, before expiry is looked at. */
export interface OracleSharing {
  /** `controller|category|recipient|purpose` -> expiry (null: none). */
  readonly consents: ReadonlyMap<string, string | null>;
  /** concernId -> the concern. */
  readonly concerns: ReadonlyMap<
    string,
    {
      readonly categories: readonly string[];
      readonly recipients: readonly string[];
      readonly expires: string;
    }
  >;
  readonly claims: readonly {
    readonly user: string;
    readonly agency: string;
    readonly categories: readonly string[];
    readonly expiresAt: string;
  }[];
  /** restrictionId -> the restricting agency, its categories and the purposes it still allows. */
  readonly restrictions?: ReadonlyMap<
    string,
    { readonly agency: string; readonly categories: readonly string[]; readonly purposes: readonly string[] }
  >;
}

/** The fields of the sharing events read here, as the catalogue names them (each type has some). */
interface SharingData {
  readonly scope: Scope;
  readonly expires?: string;
  readonly concernId: string;
  readonly categories: readonly string[];
  readonly recipients: readonly string[];
  readonly user: string;
  readonly agency: string;
  readonly expiresAt: string;
  readonly restrictionId: string;
  readonly purposes: readonly string[];
}

const consentSlot = (controller: string, category: string, recipient: string, purpose: string): string =>
  [controller, category, recipient, purpose].join('|');

const combinations = (scope: Scope): [string, string, string][] =>
  scope.categories.flatMap((category) =>
    scope.recipients.flatMap((recipient) =>
      scope.purposes.map((purpose): [string, string, string] => [category, recipient, purpose]),
    ),
  );

/**
 * Folds the subject's events in log order. A consent opens its combinations for the data of the
 * agency that recorded it; a withdrawal or refusal, told to any agency, ends them whoever recorded
 * them; a concern stays until closed; a claim is kept with its claimant.
 */
export function sharingOf(history: readonly OracleEvent[]): OracleSharing {
  const consents = new Map<string, string | null>();
  const concerns = new Map<
    string,
    { categories: readonly string[]; recipients: readonly string[]; expires: string }
  >();
  const claims: { user: string; agency: string; categories: readonly string[]; expiresAt: string }[] = [];
  const restrictions = new Map<
    string,
    { agency: string; categories: readonly string[]; purposes: readonly string[] }
  >();
  for (const event of history) {
    const data = event.data as unknown as SharingData;
    if (event.type === 'iom.consent.given.v1') {
      for (const [category, recipient, purpose] of combinations(data.scope))
        consents.set(consentSlot(event.publisher, category, recipient, purpose), data.expires ?? null);
    }
    if (event.type === 'iom.consent.withdrawn.v1' || event.type === 'iom.consent.refused.v1') {
      const ended = new Set(combinations(data.scope).map((combination) => combination.join('|')));
      for (const slot of [...consents.keys()])
        if (ended.has(slot.split('|').slice(1).join('|'))) consents.delete(slot);
    }
    if (event.type === 'iom.safeguarding.concern-raised.v1')
      concerns.set(data.concernId, {
        categories: data.categories,
        recipients: data.recipients,
        // A concern without an expiry names no instant: it has passed (decision 0009).
        expires: data.expires ?? '',
      });
    if (event.type === 'iom.safeguarding.concern-closed.v1') concerns.delete(data.concernId);
    if (event.type === 'iom.break-glass.claimed.v1')
      claims.push({
        user: data.user,
        agency: data.agency,
        categories: data.categories,
        expiresAt: data.expiresAt,
      });
    // A restriction is the publisher's, over its own data; only the agency that made it lifts it.
    if (event.type === 'iom.record.restricted.v1')
      restrictions.set(data.restrictionId, {
        agency: event.publisher,
        categories: data.categories,
        purposes: data.purposes,
      });
    if (
      event.type === 'iom.record.restriction-lifted.v1' &&
      restrictions.get(data.restrictionId)?.agency === event.publisher
    )
      restrictions.delete(data.restrictionId);
  }
  return { consents, concerns, claims, restrictions };
}

/**
 * The forms the platform takes (libs/domain instants): a date `YYYY-MM-DD`, or an instant
 * `YYYY-MM-DDTHH:MM:SS`, a fraction of up to nine digits, then `Z` or `+HH:MM` / `-HH:MM`.
 */
const EXPIRY_FORM =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2})))?$/;

/**
 * The first instant after the day in Europe/London (the default partnership time zone): found by
 * walking a quarter-hour at a time from two hours before the next midnight UTC (London is never more
 * than an hour from UTC) until the London calendar reads a later day.
 */
function endOfLondonDay(date: string): number {
  const londonDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' });
  let at = Date.parse(`${date}T00:00:00Z`) + 22 * 3_600_000;
  while (londonDay.format(new Date(at)) <= date) at += 15 * 60_000;
  return at;
}

/** The instant (ms) an expiry names, or undefined when it names none: no such form, day or time. */
function instantOf(expiry: string): number | undefined {
  const parts = EXPIRY_FORM.exec(expiry);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = Number(`0${parts[7] ?? ''}`) * 1000;
  const offset = parts[8] ? (parts[8] === '-' ? -1 : 1) * (Number(parts[9]) * 60 + Number(parts[10])) : 0;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetReal = !parts[8] || (Number(parts[9]) <= 23 && Number(parts[10]) <= 59);
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || !offsetReal) return undefined;
  if (parts[4] === undefined) return endOfLondonDay(expiry);
  return Date.UTC(year, month - 1, day, hour, minute, second) + fraction - offset * 60_000;
}

/**
 * Whether something expiring at `expiry` is still in force at `now`. A date lasts to the end of
 * that day in Europe/London; a value naming no instant (a form, day or time that does not exist) has already
 * passed (decision 0009). At the instant of expiry it has ended: it lasts "until" then.
 */
export function inForce(expiry: string | null, now: Date): boolean {
  if (expiry === null) return true;
  const at = instantOf(expiry);
  return at !== undefined && at > now.getTime();
}

/** A clause's `when`: the event is one of its types, and each tested data field holds a listed value. */
function clauseNames(clause: OracleClause, event: OracleEvent): boolean {
  if (clause.when?.types && !clause.when.types.includes(event.type)) return false;
  return Object.entries(clause.when?.data ?? {}).every(([field, values]) => {
    const value = event.data[field];
    const held = Array.isArray(value) ? value : [value];
    return held.some((item) => values.includes(String(item)));
  });
}

/**
 * The role section: a person reads subjects only for a purpose their role lists under `subjects`.
 * An agreement loaded before the section existed lets every person read subjects but the IG lead
 * and the tasking meeting's roles, who read their own tools only.
 */
export function mayReadSubjects(agreement: OracleAgreement, reader: OracleReader, purpose: string): boolean {
  if (reader.kind !== 'person') return false;
  if (agreement.roles === null)
    return reader.role !== 'ig-lead' && !(agreement.taskingMeeting?.roles.includes(reader.role) ?? false);
  return agreement.roles[reader.role]?.subjects?.includes(purpose) ?? false;
}

/**
 * Which fields of `event` the reader is served, or null for none. In the order the document gives:
 * the role gate; the reader's own publications (always, whatever a never clause says); a never
 * clause closes the rest; then every ground that holds now (a clause for the reader's agency and
 * purpose whose basis holds, the reader's own live break-glass claim) adds its fields.
 */
export function oracleServes(input: {
  readonly agreement: OracleAgreement;
  readonly reader: OracleReader;
  readonly purpose: string;
  readonly sharing: OracleSharing;
  readonly now: Date;
  readonly event: OracleEvent;
}): readonly string[] | null {
  const { agreement, reader, purpose, sharing, now, event } = input;
  const all = Object.keys(event.data);
  if (!mayReadSubjects(agreement, reader, purpose)) return null;
  // A restriction binds every reader, the restricting agency too, unless every restriction on the
  // data names the purpose.
  if (restrictsFor(sharing, event.publisher, event.category, purpose)) return null;
  if (event.publisher === reader.agency) return all;
  const forReader = agreement.clauses.filter(
    (clause) =>
      clause.recipients.includes(reader.agency) &&
      clause.categories.includes(event.category) &&
      clauseNames(clause, event),
  );
  if (forReader.some((clause) => clause.basis === 'never')) return null;

  const granted = new Set<string>();
  let any = false;
  const grant = (fields: readonly string[] | undefined): void => {
    any = true;
    for (const field of fields ?? all) granted.add(field);
  };
  for (const clause of forReader) {
    if (!clause.purposes.includes(purpose)) continue;
    const holds =
      clause.basis === 'always' ||
      (clause.basis === 'consent' &&
        consentInForce(sharing, event.publisher, event.category, reader.agency, purpose, now)) ||
      (clause.basis === 'safeguarding' && concernOpen(sharing, event.category, reader.agency, now));
    if (holds) grant(clause.fields);
  }
  if (ownClaim(sharing, reader, event.category, now)) grant(undefined);
  return any ? all.filter((field) => granted.has(field)) : null;
}

/** Some restriction by `publisher` names the category and not the purpose. */
export function restrictsFor(
  sharing: OracleSharing,
  publisher: string,
  category: string,
  purpose: string,
): boolean {
  return [...(sharing.restrictions?.values() ?? [])].some(
    (restriction) =>
      restriction.agency === publisher &&
      restriction.categories.includes(category) &&
      !restriction.purposes.includes(purpose),
  );
}

function consentInForce(
  sharing: OracleSharing,
  controller: string,
  category: string,
  recipient: string,
  purpose: string,
  now: Date,
): boolean {
  const slot = consentSlot(controller, category, recipient, purpose);
  return sharing.consents.has(slot) && inForce(sharing.consents.get(slot)!, now);
}

function concernOpen(sharing: OracleSharing, category: string, recipient: string, now: Date): boolean {
  return [...sharing.concerns.values()].some(
    (concern) =>
      concern.recipients.includes(recipient) &&
      concern.categories.includes(category) &&
      inForce(concern.expires, now),
  );
}

/** Break-glass opens to the claiming user, not to their agency, until it expires. */
function ownClaim(sharing: OracleSharing, reader: OracleReader, category: string, now: Date): boolean {
  return sharing.claims.some(
    (claim) =>
      claim.user === reader.user &&
      claim.agency === reader.agency &&
      claim.categories.includes(category) &&
      inForce(claim.expiresAt, now),
  );
}

/** The agencies the catalogue lets publish a category's events ('any' for a type any partner may). */
function publishersOf(category: string, agencies: readonly string[]): readonly string[] {
  const found = new Set<string>();
  for (const type of EVENT_TYPES) {
    const spec = CATALOGUE[type];
    // A type only the platform records (a break-glass claim) is published by whoever claims.
    if (spec.category !== category || spec.recordedByPlatform) continue;
    for (const agency of spec.publishers === 'any' ? agencies : spec.publishers) found.add(agency);
  }
  return [...found];
}

/** Whether the catalogue lets an agency publish a type ('any' meaning every partner). */
function mayPublish(agency: string, type: string, agencies: readonly string[]): boolean {
  const spec = (CATALOGUE as Record<string, { publishers: 'any' | readonly string[] } | undefined>)[type];
  if (!spec) return false;
  return (spec.publishers === 'any' ? agencies : spec.publishers).includes(agency);
}

export type OracleBasis =
  | 'shared'
  | 'consent'
  | 'safeguarding'
  | 'break-glass'
  | 'shared-in-part'
  | 'not-shared'
  | 'consent-required'
  | 'safeguarding-only'
  | 'restricted';

const narrowed = (clause: OracleClause): boolean =>
  clause.fields !== undefined || clause.when?.types !== undefined || clause.when?.data !== undefined;

/**
 * A person's basis for one category, from the table in "Withheld is never shown as empty": what
 * the agreement shares of other agencies' data (own publications change nothing), the strongest
 * ground that opens the whole category, else `shared-in-part` when some of it is open, else why it
 * is withheld. Undefined where the document does not say: a category that a never clause narrowed
 * by `when` closes only in part, or one under a consent clause that only the reader's agency
 * publishes.
 */
export function oracleBasis(input: {
  readonly agreement: OracleAgreement;
  readonly reader: OracleReader;
  readonly purpose: string;
  readonly sharing: OracleSharing;
  readonly now: Date;
  readonly category: DataCategory;
}): OracleBasis | undefined {
  const { agreement, reader, purpose, sharing, now, category } = input;
  // Restricted by any agency for this purpose: said first, whatever else of the category is open.
  if ([...(sharing.restrictions?.keys() ?? [])].length > 0)
    for (const agency of agreement.agencies)
      if (restrictsFor(sharing, agency, category, purpose)) return 'restricted';
  const forReader = agreement.clauses.filter(
    (clause) => clause.recipients.includes(reader.agency) && clause.categories.includes(category),
  );
  const nevers = forReader.filter((clause) => clause.basis === 'never');
  if (nevers.some((clause) => !narrowed(clause))) return 'not-shared';
  if (nevers.length > 0) return undefined;

  const whole = new Set<'always' | 'consent' | 'safeguarding' | 'break-glass'>();
  let some = false;
  let consentWaiting = false;
  let concernWaiting = false;
  // A consent opens only its controller's data: the whole category only when every other agency
  // that may publish it has recorded one.
  const others = publishersOf(category, agreement.agencies).filter((agency) => agency !== reader.agency);
  for (const clause of forReader.filter((c) => c.purposes.includes(purpose))) {
    if (clause.basis === 'always') {
      if (narrowed(clause)) some = true;
      else whole.add('always');
    }
    if (clause.basis === 'consent') {
      // Only the reader's agency publishes the category: a consent could open nothing of another
      // agency's, and the document does not say what basis that is.
      if (others.length === 0) return undefined;
      // Under a clause narrowed to some types, a controller that may publish none of them (of
      // this category) opens nothing of it by its consent.
      const consenting = others.filter(
        (controller) =>
          consentInForce(sharing, controller, category, reader.agency, purpose, now) &&
          (clause.when?.types === undefined ||
            clause.when.types.some(
              (type) =>
                (CATALOGUE as Record<string, { category: string } | undefined>)[type]?.category ===
                  category && mayPublish(controller, type, agreement.agencies),
            )),
      );
      if (consenting.length === 0) consentWaiting = true;
      else if (narrowed(clause) || consenting.length < others.length) some = true;
      else whole.add('consent');
    }
    if (clause.basis === 'safeguarding') {
      if (!concernOpen(sharing, category, reader.agency, now)) concernWaiting = true;
      else if (narrowed(clause)) some = true;
      else whole.add('safeguarding');
    }
  }
  if (ownClaim(sharing, reader, category, now)) whole.add('break-glass');

  for (const strongest of ['always', 'consent', 'safeguarding', 'break-glass'] as const)
    if (whole.has(strongest)) return strongest === 'always' ? 'shared' : strongest;
  if (some) return 'shared-in-part';
  if (consentWaiting) return 'consent-required';
  if (concernWaiting) return 'safeguarding-only';
  return 'not-shared';
}
