import type { Draft, Journey } from './journey';
import { identifierFor } from './people';
import type { Rng } from './prng';
import { SOURCES } from './sources';
import { isoTime } from './time';
import type { DemoPublication } from './types';

interface Resolved {
  readonly draft: Draft;
  readonly subject: string;
}

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
    if (!known.has(subject)) {
      known.add(subject);
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
