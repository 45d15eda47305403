import type { PublishedEvent } from '@throughline/domain';
import { consentKey, consentOpening, emptySharingState, evolveSharing } from './sharing-state';

const event = (type: string, data: object, agency = 'health', id = 'e1'): PublishedEvent =>
  ({
    id,
    type,
    data,
    subjectId: 's',
    position: 1,
    revision: 1,
    meta: { agency },
  }) as unknown as PublishedEvent;

describe('evolveSharing', () => {
  // Expiries are compared with the time of the read as strings, so they are kept as UTC instants.
  it('keeps consent and concern expiries as UTC instants, whatever offset they were written with', () => {
    let state = evolveSharing(
      emptySharingState(),
      event('iom.consent.given.v1', {
        scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
        expires: '2024-06-01T12:00:00+05:00',
      }),
    );
    expect(state.consents[consentKey('health', 'drugs', 'police', 'case-management')]?.expires).toBe(
      '2024-06-01T07:00:00.000Z',
    );
    state = evolveSharing(
      state,
      event('iom.safeguarding.concern-raised.v1', {
        concernId: 'SG-1',
        kind: 'child',
        legalBasis: 'DPA 2018 Sch 8 para 4',
        categories: ['family'],
        recipients: ['police'],
        expires: '2024-06-30',
      }),
    );
    // A date lasts to the end of that day in the partnership's time zone: London, in BST.
    expect(state.concerns['SG-1']?.expires).toBe('2024-06-30T23:00:00.000Z');
  });

  it("reads a date-only expiry in the time zone it is given, the agreement's", () => {
    const raised = event('iom.safeguarding.concern-raised.v1', {
      concernId: 'SG-2',
      kind: 'child',
      legalBasis: 'DPA 2018 Sch 8 para 4',
      categories: ['family'],
      recipients: ['police'],
      expires: '2026-12-06',
    });
    expect(evolveSharing(emptySharingState(), raised).concerns['SG-2']?.expires).toBe(
      '2026-12-07T00:00:00.000Z',
    );
    expect(evolveSharing(emptySharingState(), raised, 'America/New_York').concerns['SG-2']?.expires).toBe(
      '2026-12-07T05:00:00.000Z',
    );
  });

  // Stored events outlive the checks they passed: an expiry that names no instant must neither
  // throw nor widen sharing, so it has already passed; only an absent one means no expiry.
  it.each(['20990101', '2026-W01-1', '', 'soon'])(
    'keeps an expiry that names no instant (%j) as long past, for consents and concerns alike',
    (expires) => {
      let state = evolveSharing(
        emptySharingState(),
        event('iom.consent.given.v1', {
          scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
          expires,
        }),
      );
      state = evolveSharing(
        state,
        event('iom.safeguarding.concern-raised.v1', {
          concernId: 'SG-1',
          kind: 'child',
          legalBasis: 'DPA 2018 Sch 8 para 4',
          categories: ['family'],
          recipients: ['police'],
          expires,
        }),
      );
      const now = new Date().toISOString();
      expect(state.consents[consentKey('health', 'drugs', 'police', 'case-management')]!.expires! < now).toBe(
        true,
      );
      expect(state.concerns['SG-1']!.expires < now).toBe(true);
    },
  );
});

describe('a consent expiring on a date', () => {
  const given = (expires: string) =>
    evolveSharing(
      emptySharingState(),
      event('iom.consent.given.v1', {
        scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
        expires,
      }),
    );
  const question = {
    controller: 'health',
    category: 'drugs',
    recipient: 'police',
    purpose: 'case-management',
  } as const;

  it.each([
    // GMT: the last instant of the day, and midnight.
    ['2026-12-06', '2026-12-06T00:00:00.000Z', true],
    ['2026-12-06', '2026-12-06T23:59:59.999Z', true],
    ['2026-12-06', '2026-12-07T00:00:00.000Z', false],
    // BST: 23:00 UTC is already the next day in London.
    ['2026-07-06', '2026-07-06T22:59:59.999Z', true],
    ['2026-07-06', '2026-07-06T23:00:00.000Z', false],
    // The days the clocks change.
    ['2026-03-29', '2026-03-29T22:59:59.999Z', true],
    ['2026-03-29', '2026-03-29T23:00:00.000Z', false],
    ['2026-10-25', '2026-10-25T23:59:59.999Z', true],
    ['2026-10-25', '2026-10-26T00:00:00.000Z', false],
  ])('expiring %s, grants at %s: %s', (expires, now, grants) => {
    expect(consentOpening(given(expires), question, now) !== undefined).toBe(grants);
  });
});
