import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { storedEventId } from '@throughline/ingestion';
import { assertBuilt, freePort, runCli, ServerProcess } from './child-process';
import { type CloudEventBody, POLICE, PRISON, SubjectJourney } from './cloud-events';
import { differences, sqliteSnapshot as snapshot } from './read-model-snapshot';

const BATCH_SIZE = 200;
const SENDERS = 4;
/** Enough acknowledged batches that the log, the projections and the identity index all hold real state. */
const KILL_AFTER_BATCHES = 15;

interface IngestResult {
  id: string;
  subjectId: string;
  stream: string;
  revision: number;
  position: number;
  duplicate: boolean;
}

interface Acknowledged {
  readonly event: CloudEventBody;
  readonly result: IngestResult;
}

describe('crash recovery: SIGKILL during ingestion', () => {
  let dataDir: string;
  let police: string;
  let prison: string;
  const servers: ServerProcess[] = [];

  beforeAll(() => {
    assertBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'throughline-crash-'));
    police = runCli(dataDir, [
      'token',
      '--create-key',
      '--agency',
      'police',
      '--system',
      '--source',
      POLICE,
    ]).trim();
    prison = runCli(dataDir, ['token', '--agency', 'prison', '--system', '--source', PRISON]).trim();
  });

  afterAll(async () => {
    await Promise.all(servers.filter((server) => server.running).map((server) => server.signal('SIGKILL')));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const startServer = async (): Promise<ServerProcess> => {
    const server = ServerProcess.start(dataDir, await freePort());
    servers.push(server);
    await server.ready();
    return server;
  };

  /**
   * Concurrent senders publish until enough batches are acknowledged, then the server is killed with
   * sends still in flight. Only a complete 200 response counts as acknowledged.
   */
  async function ingestUntilKilled(
    server: ServerProcess,
  ): Promise<{ acknowledged: Acknowledged[]; batches: number; interrupted: number }> {
    const acknowledged: Acknowledged[] = [];
    // Custody events name subjects by their NOMIS number, which the prison links (naming them by PNC)
    // in the same batch: they only resolve once the registration is stored.
    const registered: SubjectJourney[] = [];
    let acknowledgedHead = 0;
    let batches = 0;
    let interrupted = 0;
    let killed = false;
    let killer: Promise<unknown> | undefined;

    const publish = async (token: string, events: CloudEventBody[]): Promise<IngestResult[]> => {
      const response = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/cloudevents-batch+json' },
        body: JSON.stringify(events),
      });
      const body = await response.text();
      if (response.status !== 200)
        throw new Error(`POST /v1/events answered ${response.status}: ${body.slice(0, 500)}`);
      return (JSON.parse(body) as { results: IngestResult[] }).results;
    };

    // Kill in the riskiest window: the log holds an event whose response has not reached its sender,
    // so the process usually dies between the append and the projection's commit.
    const killOnceAheadOfAcknowledged = async (): Promise<unknown> => {
      const log = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
      const head = log.prepare('SELECT COALESCE(MAX(position), 0) FROM events').pluck();
      const deadline = Date.now() + 10_000;
      try {
        while ((head.get() as number) <= acknowledgedHead && Date.now() < deadline)
          await new Promise<void>((resolve) => setImmediate(resolve));
      } finally {
        log.close();
      }
      killed = true;
      return server.signal('SIGKILL');
    };

    const sender = async (): Promise<void> => {
      for (let round = 0; !killed; round++) {
        const custody = round % 2 === 1 ? registered.splice(0, BATCH_SIZE) : [];
        const journeys =
          custody.length > 0 ? [] : Array.from({ length: BATCH_SIZE / 5 }, () => new SubjectJourney());
        const events =
          custody.length > 0
            ? custody.flatMap((journey) => [journey.linked('prison'), journey.receivedIntoCustody()])
            : journeys.flatMap((j) => [
                j.registered(),
                j.arrested(),
                j.scored(42, 'red'),
                j.arrested('Theft from shop'),
                j.scored(18, 'amber'),
              ]);
        let results: IngestResult[];
        try {
          results = await publish(custody.length > 0 ? prison : police, events);
        } catch (error) {
          if (!killed) {
            killed = true; // stop the other senders too: the test has already failed
            throw error;
          }
          interrupted++;
          return;
        }
        expect(results.map((result) => result.id)).toEqual(events.map((event) => event.id));
        events.forEach((event, i) => acknowledged.push({ event, result: results[i]! }));
        acknowledgedHead = Math.max(acknowledgedHead, ...results.map((result) => result.position));
        registered.push(...journeys);
        if (++batches >= KILL_AFTER_BATCHES) killer ??= killOnceAheadOfAcknowledged();
      }
    };

    await Promise.all(Array.from({ length: SENDERS }, sender));
    await killer;
    expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
    return { acknowledged, batches, interrupted };
  }

  it('loses no acknowledged event and the projections catch up to exactly what a rebuild produces', async () => {
    const { acknowledged, batches, interrupted } = await ingestUntilKilled(await startServer());
    expect(batches).toBeGreaterThanOrEqual(KILL_AFTER_BATCHES);
    expect(acknowledged.some(({ event }) => event.source === PRISON)).toBe(true);
    // The kill must land mid-ingestion, or this would only test a clean stop.
    expect(interrupted).toBeGreaterThan(0);

    // Every acknowledged event is on disk once, where the response said it was.
    const ids = acknowledged.map(({ event }) => storedEventId(event.source, event.id));
    const log = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    let rows: { id: string; stream: string; revision: number; position: number }[];
    try {
      rows = log
        .prepare(
          'SELECT event_id AS id, stream_id AS stream, revision, position FROM events WHERE event_id IN (SELECT value FROM json_each(?))',
        )
        .all(JSON.stringify(ids)) as typeof rows;
    } finally {
      log.close();
    }
    expect(rows).toHaveLength(new Set(ids).size);
    const stored = new Map(rows.map((row) => [row.id, row]));
    const lost = acknowledged.filter(({ result }, i) => {
      const row = stored.get(ids[i]!);
      return (
        result.duplicate ||
        row?.stream !== `subject-${result.subjectId}` ||
        row.stream !== result.stream ||
        row.revision !== result.revision ||
        row.position !== result.position
      );
    });
    expect(lost.slice(0, 5)).toEqual([]);

    // A restart resumes each projection from its checkpoint; readiness means it reached the head.
    const restarted = await startServer();
    const { head } = await restarted.ready();
    const stopped = await restarted.signal('SIGTERM');
    expect(stopped.code === 0 || stopped.signal === 'SIGTERM').toBe(true);
    const caughtUp = snapshot(dataDir);
    expect(caughtUp.head).toBe(head);
    expect(caughtUp.head).toBeGreaterThanOrEqual(Math.max(...rows.map((row) => row.position)));
    expect(caughtUp.checkpoints.size).toBeGreaterThan(0);
    for (const [projection, position] of caughtUp.checkpoints)
      expect({ projection, position }).toEqual({ projection, position: head });
    // At least one document per acknowledged registration: the comparison below is not over empty tables.
    const registrations = acknowledged.filter(
      ({ event }) => event.type === 'iom.subject.registered.v1',
    ).length;
    expect(caughtUp.docs.size).toBeGreaterThanOrEqual(registrations);

    runCli(dataDir, ['rebuild'], 120_000);
    const rebuilt = snapshot(dataDir);
    expect(rebuilt.head).toBe(head);
    expect([...rebuilt.checkpoints]).toEqual([...caughtUp.checkpoints]);
    expect(rebuilt.docs.size).toBe(caughtUp.docs.size);
    expect(differences(caughtUp, rebuilt)).toEqual([]);
  }, 180_000);
});
