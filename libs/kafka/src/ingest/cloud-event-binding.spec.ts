import { decodeCloudEvent } from './cloud-event-binding';

const event = {
  specversion: '1.0',
  id: 'e-1',
  source: 'urn:throughline:police:custody',
  type: 'iom.home-visit.recorded.v1',
  subject: 'pnc:2001/0000001Q',
  time: '2025-01-01T10:00:00Z',
  data: { outcome: 'seen', by: 'PC 1' },
};

describe('CloudEvents Kafka binding', () => {
  it('decodes structured mode as the event itself', () => {
    const decoded = decodeCloudEvent({
      headers: { 'content-type': Buffer.from('application/cloudevents+json; charset=utf-8') },
      value: Buffer.from(JSON.stringify(event)),
    });
    expect(decoded).toEqual({ ok: true, mode: 'structured', event });
  });

  it('decodes binary mode from ce_ headers and the data value, as the same event', () => {
    const { data: _data, ...attributes } = event;
    const headers = Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [`ce_${name}`, Buffer.from(value)]),
    );
    const decoded = decodeCloudEvent({
      headers: { ...headers, 'Content-Type': 'application/json' },
      value: Buffer.from(JSON.stringify(event.data)),
    });
    expect(decoded).toEqual({
      ok: true,
      mode: 'binary',
      event: { ...event, datacontenttype: 'application/json' },
    });
  });

  it.each([
    ['no value', { headers: { 'content-type': 'application/cloudevents+json' }, value: null }, 'empty-value'],
    ['no content mode', { value: Buffer.from(JSON.stringify(event)) }, 'unknown-content-mode'],
    [
      'a batch',
      { headers: { 'content-type': 'application/cloudevents-batch+json' }, value: Buffer.from('[]') },
      'batch-not-supported',
    ],
    [
      'bad JSON',
      { headers: { 'content-type': 'application/cloudevents+json' }, value: Buffer.from('{"id":') },
      'invalid-json',
    ],
    [
      'an array',
      { headers: { 'content-type': 'application/cloudevents+json' }, value: Buffer.from('[1]') },
      'not-an-object',
    ],
    [
      'binary data not JSON',
      { headers: { ce_specversion: '1.0', 'content-type': 'text/plain' }, value: Buffer.from('hi') },
      'unknown-content-mode',
    ],
    ['binary bad JSON', { headers: { ce_specversion: '1.0' }, value: Buffer.from('{') }, 'invalid-json'],
    [
      'a repeated header',
      { headers: { ce_specversion: '1.0', ce_id: ['a', 'b'] }, value: Buffer.from('{}') },
      'bad-header',
    ],
  ])('refuses %s', (_, record, reason) => {
    expect(decodeCloudEvent(record)).toMatchObject({ ok: false, reason });
  });

  it('leaves missing attributes to the ingestion use case, which names them as HTTP does', () => {
    expect(decodeCloudEvent({ headers: { ce_specversion: '1.0' }, value: Buffer.from('{}') })).toEqual({
      ok: true,
      mode: 'binary',
      event: { specversion: '1.0', datacontenttype: 'application/json', data: {} },
    });
  });
});
