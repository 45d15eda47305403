import { createHash } from 'node:crypto';
import type { Draft, Journey } from './journey';
import { identifierFor } from './people';
import type { Rng } from './prng';
import { agencyOfSource, SOURCES } from './sources';
import { DAY, HOUR, isoTime, WEEK } from './time';
import type { DemoPublication } from './types';

interface Resolved {
  readonly draft: Draft;
  readonly subject: string;
}

/** A partnership id of the form a publisher may give a registration, the same for the person every run. */
function recordIdOf(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The identity repairs a real partnership makes, shown on a few people: probation registering a
 * person the police registered already, merged by the police a week later (once, for some, merged
 * in error first and parted the next day); and a prison number mistyped, unlinked and linked again.
 */
const registeredTwice = (j: Journey): boolean => j.index % 40 === 7;
const mergedInErrorFirst = (j: Journey): boolean => j.index % 80 === 7;
const mistypedNomis = (j: Journey): boolean => j.index % 50 === 11;

/**
 * Names each event's subject by the publishing agency's own identifier, as its system knows the
 * person. The registration is named by the registering agency's; an identifier the partnership has
 * not seen yet is linked first, by the agency that issued it, naming the person as registered.
 */
function resolveSubjects(j: Journey): Resolved[] {
  const endedAt = j.state.endedAt ?? Number.POSITIVE_INFINITY;
  const drafts = j.drafts.filter((d) => d.at <= endedAt).sort((a, b) => a.at - b.at);
  const known = new Set<string>();
  let registeredAs: string | undefined;
  const resolved: Resolved[] = [];
  const repair = (at: number, source: Draft['source'], type: Draft['type'], data: object, subject: string) =>
    resolved.push({ draft: { at, source, agency: agencyOfSource(source), type, data }, subject });
  for (const draft of drafts) {
    const identifier = identifierFor(j.identity, draft.agency);
    const subject = `${identifier.scheme}:${identifier.value}`;
    if (draft.type === 'iom.subject.registered.v1') {
      known.add(subject);
      registeredAs = subject;
      resolved.push({ draft, subject });
      continue;
    }
    if (registeredAs === undefined) throw new Error(`${draft.type} comes before the registration`);
    if (
      !known.has(subject) &&
      draft.agency === 'probation' &&
      registeredAs.startsWith('pnc:') &&
      registeredTwice(j)
    ) {
      // Probation does not find the person and registers them again, under its own reference.
      known.add(subject);
      const record = recordIdOf(`${j.identity.crn}/${j.index}`);
      const registration = resolved.find((r) => r.draft.type === 'iom.subject.registered.v1')!.draft;
      repair(
        draft.at,
        draft.source,
        'iom.subject.registered.v1',
        { ...registration.data, identifiers: [identifier] },
        record,
      );
      const merged = {
        mergedSubjectId: record,
        reason: 'Registered twice: name, date of birth and address match the PNC record.',
      };
      let mergeAt = draft.at + WEEK;
      if (mergedInErrorFirst(j)) {
        repair(mergeAt, 'policeIom', 'iom.subject.merged.v1', merged, registeredAs);
        repair(
          mergeAt + DAY,
          'policeIom',
          'iom.subject.unmerged.v1',
          {
            mergedSubjectId: record,
            reason: 'Merged before the fingerprint check came back; parted until it does.',
          },
          registeredAs,
        );
        mergeAt += WEEK;
      }
      repair(mergeAt, 'policeIom', 'iom.subject.merged.v1', merged, registeredAs);
    }
    if (!known.has(subject)) {
      known.add(subject);
      if (draft.agency === 'prison' && mistypedNomis(j)) {
        // A mistyped prison number linked first: the Z prefix no real NOMIS number here has.
        const mistyped = { scheme: 'nomis', value: `Z${j.identity.nomis.slice(1)}` };
        repair(draft.at - 2 * HOUR, draft.source, 'iom.subject.identifier-linked.v1', mistyped, registeredAs);
        repair(
          draft.at - HOUR,
          draft.source,
          'iom.subject.identifier-unlinked.v1',
          {
            ...mistyped,
            reason: 'Mistyped prison number: the right one is linked in its place.',
          },
          registeredAs,
        );
      }
      const link: Draft = {
        at: draft.at,
        source: draft.source,
        agency: draft.agency,
        type: 'iom.subject.identifier-linked.v1',
        data: identifier,
      };
      resolved.push({ draft: link, subject: registeredAs });
    }
    resolved.push({ draft, subject });
  }
  return resolved;
}

/** Orders every person's events in one timeline and gives each a CloudEvent id. */
export function finalise(journeys: readonly Journey[], ids: Rng): DemoPublication[] {
  const all = journeys.flatMap(resolveSubjects).sort((a, b) => a.draft.at - b.draft.at);
  const targets = new Set(all.flatMap(({ draft }) => (draft.target ? [draft.target] : [])));
  const idOf = new Map<Draft, string>();
  const used = new Set<string>();
  return all.map(({ draft, subject }) => {
    let id = ids.uuid();
    while (used.has(id)) id = ids.uuid();
    used.add(id);
    if (targets.has(draft)) idOf.set(draft, id);
    const targetId = draft.target ? idOf.get(draft.target) : undefined;
    if (draft.target && targetId === undefined)
      throw new Error(`${draft.type} names an event that was not published`);
    const data = targetId === undefined ? draft.data : { ...draft.data, targetEventId: targetId };
    const source = SOURCES[draft.source];
    return {
      agency: draft.agency,
      source,
      event: {
        specversion: '1.0',
        id,
        source,
        type: draft.type,
        subject,
        time: isoTime(draft.at),
        datacontenttype: 'application/json',
        data,
      },
    };
  });
}
