import type { PublishedEvent } from '@throughline/domain';
import { consentKey, emptySharingState, evolveSharing } from './sharing-state';

const event = (type: string, data: object): PublishedEvent =>
  ({ id: 'e1', type, data, subjectId: 's', position: 1, revision: 1, meta: {} }) as unknown as PublishedEvent;

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
    expect(state.consents[consentKey('drugs', 'police', 'case-management')]?.expires).toBe(
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
    expect(state.concerns['SG-1']?.expires).toBe('2024-06-30T00:00:00.000Z');
  });
});
