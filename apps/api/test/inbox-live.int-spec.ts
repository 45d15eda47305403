import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import supertest from 'supertest';
import { createAuditSigningKey } from '@throughline/audit';
import { TokenService } from '@throughline/auth';
import { eventually } from '@throughline/kafka/testing';
import { loadConfig } from '@throughline/platform';
import { freshDatabase, type TestDatabase } from '@throughline/platform/testing';
import { ProjectionRunner } from '@throughline/projections';
import { InboxFeed } from '@throughline/subjects';
import { createApi } from '../src/create-api';
import { cloudEvent, POLICE, PRISON, SubjectJourney } from './cloud-events';

const BATCH = 'application/cloudevents-batch+json';
const VOLUNTARY = 'urn:throughline:voluntary:crm';
const LIMITS = {
  RATE_LIMIT_REQUESTS_PER_SECOND: '1000000',
  RATE_LIMIT_REQUESTS_BURST: '1000000',
  RATE_LIMIT_EVENTS_PER_SECOND: '1000000',
  RATE_LIMIT_EVENTS_BURST: '1000000',
};

interface Signal {
  readonly event: string;
  readonly id: string;
  readonly data: {
    eventId?: string;
    kind?: string;
    subjectId?: string;
    unread?: number;
    fields?: Record<string, unknown>;
  };
}

/** An open server-sent event stream, its events parsed as they come. */
class EventStream {
  readonly signals: Signal[] = [];
  private response: IncomingMessage | undefined;
  private buffer = '';

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  async open(): Promise<number> {
    return new Promise((resolve, reject) => {
      const call = httpRequest(
        this.url,
        { headers: { Accept: 'text/event-stream', ...this.headers } },
        (response) => {
          this.response = response;
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => this.take(chunk));
          resolve(response.statusCode ?? 0);
        },
      );
      call.on('error', reject);
      call.end();
    });
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .filter((line) => line.startsWith(`${name}:`))
          .map((line) => line.slice(name.length + 1).trimStart())
          .join('\n');
      if (field('data'))
        this.signals.push({ event: field('event'), id: field('id'), data: JSON.parse(field('data')) });
    }
  }

  notifications(): Signal['data'][] {
    return this.signals.filter((signal) => signal.event === 'notification').map((signal) => signal.data);
  }

  close(): void {
    this.response?.destroy();
  }
}

/** Where both instances keep the log, the read models and the audit log. */
interface SharedStore {
  readonly name: string;
  /** The settings both instances take beside DATA_DIR. */
  open(keys: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

const sqlite = (): SharedStore => ({
  name: 'one SQLite data directory',
  open: async () => ({}),
  close: async () => undefined,
});

const postgres = (): SharedStore => {
  let database: TestDatabase | undefined;
  return {
    name: 'one PostgreSQL database',
    open: async (keys) => {
      database = await freshDatabase('inbox');
      // Server mode takes its audit signing key from outside DATA_DIR.
      const keyFile = join(keys, 'audit-signing-key.pem');
      createAuditSigningKey(keyFile);
      return { DATABASE_URL: database.url, AUDIT_SIGNING_KEY_FILE: keyFile };
    },
    close: async () => database?.drop(),
  };
};

/**
 * The live inbox across processes: one app ingests and runs the projections, another, on the same
 * store with no projections of its own, serves the streams. Nothing passes between them but the
 * store, so a notification can only reach the second app's readers through the log and the read
 * models.
 */
describe.each([sqlite(), postgres()])('the live inbox across two app instances on $name', (store) => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-inbox-live-'));
  const keys = mkdtempSync(join(tmpdir(), 'throughline-inbox-keys-'));
  let writer: INestApplication;
  let reader: INestApplication;
  let base: string;
  let tokens: TokenService;
  const streams: EventStream[] = [];
  const pollMs = InboxFeed.pollMs;
  const run = randomUUID().slice(0, 8);
  const journey = new SubjectJourney();

  const publish = async (agency: string, source: string, events: unknown[]): Promise<void> => {
    const token = await tokens.mint({ agency, system: true, sources: [source] });
    await supertest(writer.getHttpServer())
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events))
      .expect(200);
  };
  const settle = async (): Promise<void> => {
    const runner = writer.get(ProjectionRunner);
    await runner.waitFor((await runner.status())[0]?.head ?? 0);
  };
  const stream = async (agency: string, role: string, user: string): Promise<EventStream> => {
    const token = await tokens.mint({ agency, role, user });
    const opened = new EventStream(`${base}/v1/inbox/stream`, {
      Authorization: `Bearer ${token}`,
      'X-Purpose-Of-Use': 'case-management',
    });
    expect(await opened.open()).toBe(200);
    streams.push(opened);
    // The count comes first: the stream is registered with the feed from then on.
    await eventually(
      () => opened.signals.length,
      (count) => count > 0,
      'the first unread count',
    );
    return opened;
  };

  beforeAll(async () => {
    InboxFeed.pollMs = 100;
    const env = { DATA_DIR: dir, LOG_LEVEL: 'silent', ...LIMITS, ...(await store.open(keys)) };
    writer = await createApi(loadConfig(env), { projections: 'inline' });
    reader = await createApi(loadConfig({ ...env, RUN_PROJECTIONS: 'false' }), { projections: 'off' });
    await reader.listen(0, '127.0.0.1');
    base = (await reader.getUrl()).replace('[::1]', '127.0.0.1');
    tokens = new TokenService(loadConfig(env));
    await publish('police', POLICE, [journey.registered('Live', `Feed${run}`)]);
    await publish('voluntary', VOLUNTARY, [
      cloudEvent(VOLUNTARY, 'iom.key-worker.assigned.v1', `pnc:${journey.pnc}`, {
        agency: 'voluntary',
        worker: 'Mentor Live',
        contact: '01782 000606',
      }),
    ]);
    await publish('prison', PRISON, [journey.linked('prison')]);
    await settle();
  });

  afterAll(async () => {
    InboxFeed.pollMs = pollMs;
    for (const open of streams) open.close();
    await reader?.close();
    await writer?.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(keys, { recursive: true, force: true });
  });

  it("pushes what the other instance ingests, each reader's own cut, and records every push", async () => {
    const officer = await stream('police', 'iom-officer', `pc-${run}`);
    const mentor = await stream('voluntary', 'mentor', `mentor-${run}`);
    const housing = await stream('housing', 'housing-officer', `ho-${run}`);

    await publish('police', POLICE, [journey.arrested('Theft of a lock keeper’s windlass')]);
    await eventually(
      () => officer.notifications(),
      (items) => items.some((item) => item.kind === 'arrest'),
      'the arrest at the police officer',
    );
    const arrest = officer.notifications().find((item) => item.kind === 'arrest')!;
    expect(arrest.fields?.offence).toBe('Theft of a lock keeper’s windlass');
    await eventually(
      () => officer.signals.filter((signal) => signal.event === 'unread').at(-1)?.data.unread,
      (unread) => unread === 1,
      'the unread count after the arrest',
    );

    // The prison's custody reception reaches the mentor (custody dates are shared with the
    // voluntary sector); the arrest before it never did.
    await publish('prison', PRISON, [journey.receivedIntoCustody()]);
    await eventually(
      () => mentor.notifications(),
      (items) => items.some((item) => item.kind === 'custody-received'),
      'the custody reception at the mentor',
    );
    await eventually(
      () => officer.notifications(),
      (items) => items.some((item) => item.kind === 'custody-received'),
      'the custody reception at the police officer',
    );
    expect(mentor.notifications().map((item) => item.kind)).toEqual(['custody-received']);
    const reception = mentor.notifications()[0]!;
    expect(Object.keys(reception.fields ?? {})).not.toContain('establishment');
    // Housing works with nobody here: told nothing at all.
    expect(housing.notifications()).toEqual([]);

    const ig = await tokens.mint({ agency: 'partnership', role: 'ig-lead', user: `ig-${run}` });
    const register = await supertest(writer.getHttpServer())
      .get(`/v1/audit/disclosures?user=pc-${run}`)
      .set('Authorization', `Bearer ${ig}`)
      .expect(200);
    const pushes = (
      register.body.disclosures as { content: { action: string; subjects: unknown[] } }[]
    ).filter((record) => record.content.action === 'inbox.push');
    expect(pushes).toHaveLength(2);
    expect(pushes.every((record) => record.content.subjects.length === 1)).toBe(true);
  });

  it('keeps read marks in the shared store: one marked through one instance is unread no more on the other', async () => {
    const officer = streams[0]!;
    const token = await tokens.mint({ agency: 'police', role: 'iom-officer', user: `pc-${run}` });
    const arrest = officer.notifications().find((item) => item.kind === 'arrest')!;
    const lastUnread = () =>
      officer.signals.filter((signal) => signal.event === 'unread').at(-1)?.data.unread;
    const before = await eventually(lastUnread, (unread) => unread === 2, 'two unread on the stream');
    await supertest(writer.getHttpServer())
      .post(`/v1/inbox/${arrest.eventId}/read`)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Purpose-Of-Use', 'case-management')
      .expect(200);
    // The stream is served by the other instance: it hears of the mark from the store alone.
    await eventually(lastUnread, (unread) => unread === before! - 1, 'the count after the mark');
    const listed = await supertest(reader.getHttpServer())
      .get('/v1/inbox')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Purpose-Of-Use', 'case-management')
      .expect(200);
    expect(listed.body.unread).toBe(1);
    expect(
      (listed.body.notifications as { eventId: string; read: boolean }[]).find(
        (item) => item.eventId === arrest.eventId,
      )?.read,
    ).toBe(true);
  });

  it('starts a reconnecting stream from its Last-Event-ID, sending what it missed', async () => {
    const token = await tokens.mint({ agency: 'police', role: 'iom-officer', user: `pc-${run}` });
    const list = await supertest(reader.getHttpServer())
      .get('/v1/inbox')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Purpose-Of-Use', 'case-management')
      .expect(200);
    const oldest = Math.min(
      ...(list.body.notifications as { position: number }[]).map((item) => item.position),
    );
    const resumed = new EventStream(`${base}/v1/inbox/stream`, {
      Authorization: `Bearer ${token}`,
      'X-Purpose-Of-Use': 'case-management',
      'Last-Event-ID': String(oldest),
    });
    expect(await resumed.open()).toBe(200);
    streams.push(resumed);
    await eventually(
      () => resumed.notifications().map((item) => item.kind),
      (kinds) => kinds.includes('custody-received'),
      'the notification after the last event id',
    );
    expect(resumed.notifications().map((item) => item.kind)).toEqual(['custody-received']);
  });
});
