import { randomInt, randomUUID } from 'node:crypto';
import { pncIdOf, subjectStream } from '@throughline/domain';
import type { EventStore } from '../store';

const digits = (count: number): string => String(randomInt(0, 10 ** count)).padStart(count, '0');

/**
 * A subject registered and linked as a log written before claims and identifier rules existed
 * holds it: events only, each identifier as the agency typed it. Its identifiers come from the
 * listed data, the subject reference and a later link; `identifiers` are their canonical forms,
 * the claims a store gains from the log. `invalid` are listed too, and name no identifier of
 * their scheme: they are claimed by no one.
 */
export async function registeredBefore(store: EventStore): Promise<{
  readonly owner: string;
  readonly identifiers: readonly string[];
  readonly typed: readonly string[];
  readonly invalid: readonly string[];
}> {
  const owner = randomUUID();
  const crn = `x${digits(6)}`;
  const pnc = pncIdOf(2020, randomInt(1, 10_000_000));
  const named = `  ${randomUUID()} `;
  const nomis = `a${digits(4)}bc`;
  const invalid = `hello-${randomUUID()}`;
  await store.append(subjectStream(owner), [
    {
      id: randomUUID(),
      type: 'iom.subject.registered.v1',
      data: {
        givenName: 'A',
        familyName: 'B',
        dateOfBirth: '1990-01-01',
        identifiers: [
          { scheme: 'crn', value: crn },
          { scheme: 'pnc', value: invalid },
          { scheme: 'pnc', value: pnc.toLowerCase() },
        ],
      },
      metadata: { subjectRef: `local:${named}`, agency: 'housing' },
    },
    {
      id: randomUUID(),
      type: 'iom.subject.identifier-linked.v1',
      data: { scheme: 'nomis', value: nomis },
      metadata: { subjectRef: owner, agency: 'prison' },
    },
  ]);
  return {
    owner,
    identifiers: [
      `crn:${crn.toUpperCase()}`,
      `pnc:${pnc}`,
      `local:housing/${named.trim()}`,
      `nomis:${nomis.toUpperCase()}`,
    ],
    typed: [`crn:${crn}`, `pnc:${pnc.toLowerCase()}`, `local:${named.trim()}`, `nomis:${nomis}`],
    invalid: [`pnc:${invalid}`],
  };
}
