import { randomUUID } from 'node:crypto';
import { subjectStream } from '@throughline/domain';
import type { EventStore } from '../store';

/**
 * A subject registered and linked as a log written before claims existed holds it: events only.
 * Its identifiers come from the listed data, the subject reference and a later link.
 */
export async function registeredBefore(
  store: EventStore,
): Promise<{ readonly owner: string; readonly identifiers: readonly string[] }> {
  const owner = randomUUID();
  const [listed, named, linked] = [randomUUID(), randomUUID(), randomUUID()];
  await store.append(subjectStream(owner), [
    {
      id: randomUUID(),
      type: 'iom.subject.registered.v1',
      data: {
        givenName: 'A',
        familyName: 'B',
        dateOfBirth: '1990-01-01',
        identifiers: [{ scheme: 'crn', value: listed }],
      },
      metadata: { subjectRef: `local:${named}` },
    },
    {
      id: randomUUID(),
      type: 'iom.subject.identifier-linked.v1',
      data: { scheme: 'nomis', value: linked },
      metadata: { subjectRef: owner },
    },
  ]);
  return { owner, identifiers: [`crn:${listed}`, `local:${named}`, `nomis:${linked}`] };
}
