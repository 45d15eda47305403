import type { DefaultAgency, IdentifierScheme, SubjectRegisteredV1 } from '@throughline/domain';
import type { Draft, Journey } from './journey';
import type { Rng } from './prng';
import { SOURCES } from './sources';
import { isoTime } from './time';
import type { DemoPublication } from './types';

interface Resolved {
  readonly draft: Draft;
  readonly subject: string;
}

/** The identifier each agency's system holds for a person. */
function identifierFor(j: Journey, agency: DefaultAgency): { scheme: IdentifierScheme; value: string } {
  const { identity } = j;
  switch (agency) {
    case 'police':
      return { scheme: 'pnc', value: identity.pnc };
    case 'probation':
      return { scheme: 'crn', value: identity.crn };
    case 'prison':
      return { scheme: 'nomis', value: identity.nomis };
    case 'health':
      return { scheme: 'nhs', value: identity.nhs };
    case 'housing':
      return { scheme: 'local', value: identity.housingId };
    case 'voluntary':
      return { scheme: 'local', value: identity.voluntaryId };
  }
}

/**
 * Names each event's subject by the publishing agency's own identifier. An identifier the partnership
 * has not seen yet is linked first, by that agency, naming the person by PNC.
 */
function resolveSubjects(j: Journey): Resolved[] {
  const endedAt = j.state.endedAt ?? Number.POSITIVE_INFINITY;
  const drafts = j.drafts.filter((d) => d.at <= endedAt).sort((a, b) => a.at - b.at);
  const pnc = `pnc:${j.identity.pnc}`;
  const known = new Set<string>();
  const resolved: Resolved[] = [];
  for (const draft of drafts) {
    if (draft.type === 'iom.subject.registered.v1') {
      const { identifiers } = draft.data as SubjectRegisteredV1;
      for (const { scheme, value } of identifiers) known.add(`${scheme}:${value}`);
      resolved.push({ draft, subject: pnc });
      continue;
    }
    const identifier = identifierFor(j, draft.agency);
    const subject = `${identifier.scheme}:${identifier.value}`;
    if (!known.has(subject)) {
      known.add(subject);
      const link: Draft = {
        at: draft.at,
        source: draft.source,
        agency: draft.agency,
        type: 'iom.subject.identifier-linked.v1',
        data: identifier,
      };
      resolved.push({ draft: link, subject: pnc });
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
