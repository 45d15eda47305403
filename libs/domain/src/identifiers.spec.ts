import { identifiersLinkedBy } from './identifiers';

describe('identifiersLinkedBy', () => {
  it('gives a registration its listed identifiers and the one it was named by, each with its field', () => {
    const data = {
      identifiers: [
        { scheme: 'crn', value: 'X1' },
        { scheme: 'nomis', value: 'A1' },
      ],
    };

    expect(identifiersLinkedBy('iom.subject.registered.v1', data, 'pnc: 2001/1A ')).toEqual([
      { identifier: { scheme: 'crn', value: 'X1' }, field: 'data.identifiers.0' },
      { identifier: { scheme: 'nomis', value: 'A1' }, field: 'data.identifiers.1' },
      { identifier: { scheme: 'pnc', value: '2001/1A' }, field: 'subject' },
    ]);
  });

  it('names no identifier for a subject named by its partnership id', () => {
    const data = { identifiers: [{ scheme: 'crn', value: 'X1' }] };

    expect(
      identifiersLinkedBy('iom.subject.registered.v1', data, '6f1c2c4e-0d6a-4b8e-9a55-3f3a3d0f9b2e'),
    ).toEqual([{ identifier: { scheme: 'crn', value: 'X1' }, field: 'data.identifiers.0' }]);
  });

  it('gives a link its identifier and the one it was sent by', () => {
    expect(
      identifiersLinkedBy('iom.subject.identifier-linked.v1', { scheme: 'nomis', value: 'A1' }, 'crn:X1'),
    ).toEqual([
      { identifier: { scheme: 'nomis', value: 'A1' }, field: 'data.value' },
      { identifier: { scheme: 'crn', value: 'X1' }, field: 'subject' },
    ]);
  });

  it('links nothing for any other event', () => {
    expect(identifiersLinkedBy('iom.arrest.recorded.v1', { scheme: 'pnc', value: '1' }, 'crn:X1')).toEqual(
      [],
    );
  });
});
