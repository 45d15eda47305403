import { CloudEvent, emitterFor, type Message, Mode } from 'cloudevents';
import type { Response } from 'supertest';
import { type CloudEventBody, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

/**
 * Agency systems publishing with the official `cloudevents` SDK: its emitter in binary mode (its
 * default) and in structured mode, and a batch of the SDK's events.
 */
describe('publishing with the cloudevents SDK', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.systemToken('police', [POLICE]);
  });
  afterAll(() => t.close());

  const transport = (message: Message): Promise<Response> =>
    t.http
      .post('/v1/events')
      .set(message.headers as Record<string, string>)
      .set('Authorization', `Bearer ${token}`)
      .send(message.body as string);
  const sdkEvent = (body: CloudEventBody): CloudEvent<Record<string, unknown>> =>
    new CloudEvent({ ...body, datacontenttype: 'application/json' });

  it.each([Mode.BINARY, Mode.STRUCTURED])('stores an event the SDK emits in %s mode', async (mode) => {
    const journey = new SubjectJourney();
    const emit = emitterFor(transport, { mode });
    const registered = (await emit(sdkEvent(journey.registered()))) as Response;
    expect(registered.status).toBe(200);
    expect(registered.body).toMatchObject({ subjectId: expect.any(String), duplicate: false });
    const arrested = (await emit(sdkEvent(journey.arrested()))) as Response;
    expect(arrested.status).toBe(200);
    expect(arrested.body.subjectId).toBe(registered.body.subjectId);
    const again = (await emit(sdkEvent({ ...journey.arrested(), id: arrested.body.id }))) as Response;
    expect(again.body).toMatchObject({ duplicate: true, position: arrested.body.position });
  });

  it('stores a batch of the SDK’s events', async () => {
    const journey = new SubjectJourney();
    const events = [journey.registered(), journey.arrested()].map((body) => sdkEvent(body).toJSON());
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/cloudevents-batch+json')
      .send(JSON.stringify(events));
    expect(response.status).toBe(200);
    expect(response.body.results).toHaveLength(2);
  });

  it('holds binary mode to the same rules: a day that does not exist, a missing attribute, a repeated one', async () => {
    const journey = new SubjectJourney();
    const { headers, body } = {
      headers: binaryHeaders(journey.registered()),
      body: journey.registered().data,
    };
    const post = (extra: Record<string, string>, drop: string[] = [], contentType = 'application/json') => {
      const sent = Object.fromEntries(
        Object.entries({ ...headers, ...extra }).filter(([name]) => !drop.includes(name)),
      );
      return t.http
        .post('/v1/events')
        .set(sent)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', contentType)
        .send(JSON.stringify(body));
    };
    const badDay = await post({ 'ce-time': '2025-02-30T10:00:00Z' });
    expect(badDay.status).toBe(422);
    expect(badDay.body.errors[0]).toMatchObject({ field: 'time' });
    const noSource = await post({}, ['ce-source']);
    expect(noSource.status).toBe(422);
    expect(noSource.body.errors[0]).toMatchObject({ field: 'source' });
    const notJson = await post({}, [], 'text/plain');
    expect(notJson.status).toBe(400);
    expect(notJson.body.detail).toMatch(/application\/json/);
    const repeated = await t.http
      .post('/v1/events')
      .set(headers)
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      // Sent as two header lines: the request carries the attribute twice.
      .set('ce-type', ['iom.subject.registered.v1', 'iom.arrest.recorded.v1'] as unknown as string)
      .send(JSON.stringify(body));
    expect(repeated.status).toBe(400);
    expect(repeated.body.detail).toMatch(/ce-type is repeated/);
    const plainJson = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
    expect(plainJson.status).toBe(415);
  });
});

function binaryHeaders(event: CloudEventBody): Record<string, string> {
  return {
    'ce-specversion': event.specversion,
    'ce-id': event.id,
    'ce-source': event.source,
    'ce-type': event.type,
    'ce-subject': event.subject,
    'ce-time': event.time,
  };
}
