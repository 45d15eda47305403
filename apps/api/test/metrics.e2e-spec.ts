import { POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

describe('GET /metrics', () => {
  let t: TestApp;
  let subjectId: string;
  const journey = new SubjectJourney();

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN: 'scrape-secret-1' });
    const token = await t.systemToken('police', [POLICE]);
    const published = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/cloudevents-batch+json')
      .send(JSON.stringify([journey.registered('Jane', 'Doe')]));
    expect(published.status).toBe(200);
    subjectId = published.body.results[0].subjectId;
    const refused = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/cloudevents-batch+json')
      .send(JSON.stringify([{ ...journey.arrested(), time: '2025-02-30T10:00:00Z' }]));
    expect(refused.status).toBe(422);
    await t.settle();
    const read = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', `Bearer ${await t.personToken('police', 'iom-officer')}`)
      .set('X-Purpose-Of-Use', 'case-management');
    expect(read.status).toBe(200);
  });
  afterAll(() => t.close());

  it('answers only the bearer of METRICS_TOKEN', async () => {
    expect((await t.http.get('/metrics')).status).toBe(401);
    expect((await t.http.get('/metrics').set('Authorization', 'Bearer scrape-secret-2')).status).toBe(401);
  });

  it('gives request durations by route template and status, projection lag and process metrics, and no one’s data', async () => {
    const response = await t.http.get('/metrics').set('Authorization', 'Bearer scrape-secret-1');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = response.text;
    expect(text).toMatch(
      /throughline_http_request_duration_seconds_count\{method="GET",route="\/v1\/subjects\/:subjectId",status="200"\} 1/,
    );
    expect(text).toMatch(
      /throughline_http_request_duration_seconds_count\{method="POST",route="\/v1\/events",status="200"\} 1/,
    );
    expect(text).toMatch(/throughline_projection_lag_events\{projection="subject-views"\} 0/);
    expect(text).toMatch(/throughline_event_log_head \d+/);
    expect(text).toMatch(/throughline_events_ingested_total\{agency="police",outcome="stored"\} 1/);
    expect(text).toMatch(
      /throughline_ingest_refusals_total\{agency="police",status="422",constraint="[A-Za-z]+"\} 1/,
    );
    expect(text).toMatch(/throughline_audit_write_seconds_count\{kind="record"\} [1-9]/);
    expect(text).toMatch(/throughline_process_resident_memory_bytes \d+/);
    for (const personal of [subjectId, 'Jane', 'Doe', journey.pnc]) expect(text).not.toContain(personal);
  });
});
