import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  CATALOGUE,
  CATALOGUE_EXAMPLES,
  DEFAULT_AGENCIES,
  DEFAULT_ISSUING_AGENCIES,
  EVENT_TYPES,
  type EventMeta,
  type EventType,
  ROLES,
} from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { SubjectJourney } from './cloud-events';
import { schemaVerdict } from './json-schema-verdict';
import { startTestApp, type TestApp } from './test-app';
import {
  type Mutation,
  mutationArbitrary,
  type HeaderCase,
  headerCaseArbitrary,
  type QueryCase,
  queryCaseArbitrary,
  rawBodyArbitrary,
  serialise,
} from './fuzz-arbitraries';

/**
 * Hostile and sloppy input, generated: envelopes, data, batches, headers, query strings and raw
 * bodies. Nothing may answer 5xx, and no event the published JSON Schemas refuse may be stored.
 * `FUZZ_RUNS` sets the budget per property and `FUZZ_SEED` the seed (fixed unless `random`), so
 * a failure it prints can be replayed (see the README).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
// A fixed seed by default, so `npm test` is repeatable; FUZZ_SEED=random explores afresh.
const SEED = process.env.FUZZ_SEED === 'random' ? undefined : Number(process.env.FUZZ_SEED ?? 20261206);
const settings = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true };

/**
 * Runs a property and fails with the inputs that broke it and the seed to replay them, rather than
 * fast-check's full counterexample (which for these inputs runs to megabytes).
 */
async function holds<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<string | undefined>) {
  const found: string[] = [];
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      const failure = await predicate(value);
      if (failure) found.push(failure);
      return failure === undefined;
    }),
    settings,
  );
  if (details.failed) {
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : '';
    throw new Error(`FUZZ_SEED=${details.seed} (run ${details.numRuns}): ${found.join('\n') || why}`);
  }
}

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const sourceOf = (agency: string): string => `urn:throughline:${agency}:fuzz`;

/**
 * An agency allowed to publish the type, so mutations reach validation rather than stopping at
 * authority: a link's example links a prison number, which only the prison may link.
 */
const publisherOf = (type: EventType): string => {
  if (type === 'iom.subject.identifier-linked.v1') {
    const { scheme } = CATALOGUE_EXAMPLES[type];
    return scheme === 'local' ? 'police' : DEFAULT_ISSUING_AGENCIES[scheme];
  }
  const publishers = CATALOGUE[type].publishers;
  return publishers === 'any' ? 'police' : publishers[0]!;
};

describe('hostile input, generated', () => {
  let t: TestApp;
  const systems = new Map<string, string>();
  const people = new Map<string, string>();
  let subjectId: string;
  let pnc: string;

  beforeAll(async () => {
    // Fair-use limits stay on but out of reach: the fuzzer sends far faster than any credential should.
    t = await startTestApp({
      RATE_LIMIT_REQUESTS_PER_SECOND: '100000',
      RATE_LIMIT_EVENTS_PER_SECOND: '1000000',
    });
    for (const agency of DEFAULT_AGENCIES)
      systems.set(agency, await t.systemToken(agency, [sourceOf(agency)]));
    for (const role of ROLES) people.set(role, await t.personToken('police', role, `fuzz-${role}`));
    const journey = new SubjectJourney();
    pnc = journey.pnc;
    const registered = journey.registered();
    registered.source = sourceOf('police');
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${systems.get('police')!}`)
      .set('Content-Type', SINGLE)
      .send(JSON.stringify(registered))
      .expect(200);
    subjectId = (response.body as { subjectId: string }).subjectId;
  });
  afterAll(() => t.close());

  /** A valid event of the type about the fuzz subject, before mutation. */
  const baseEvent = (type: EventType, id: string, bySubjectId: boolean): Record<string, unknown> => ({
    specversion: '1.0',
    id,
    source: sourceOf(publisherOf(type)),
    type,
    subject: bySubjectId ? subjectId : `pnc:${pnc}`,
    time: '2025-06-01T10:00:00Z',
    datacontenttype: 'application/json',
    data: structuredClone(CATALOGUE_EXAMPLES[type]),
  });

  const post = async (agency: string, contentType: string, body: string) =>
    t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${systems.get(agency)!}`)
      .set('Content-Type', contentType)
      .send(body);

  /** Undefined for an answer below 500, else what was sent and what came back. */
  const serverError = (what: string, status: number, body: unknown): string | undefined =>
    status < 500 ? undefined : `${status} for ${what}: ${JSON.stringify(body).slice(0, 300)}`;

  it('never answers 5xx to a mutated event', async () => {
    const eventCase = fc.record({
      type: fc.constantFrom(...EVENT_TYPES),
      bySubjectId: fc.boolean(),
      mutations: fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }),
      id: fc.uuid(),
    });
    await holds(eventCase, async ({ type, bySubjectId, mutations, id }) => {
      const body = serialise(baseEvent(type, id, bySubjectId), mutations);
      const response = await post(publisherOf(type), SINGLE, body);
      return serverError(
        `${type} ${describeMutations(mutations)} ${body.slice(0, 300)}`,
        response.status,
        response.body,
      );
    });
  });

  it('never answers 5xx to a mutated batch', async () => {
    const policeTypes = EVENT_TYPES.filter((type) => publisherOf(type) === 'police');
    const batchCase = fc.record({
      events: fc.array(
        fc.record({
          type: fc.constantFrom(...policeTypes),
          mutations: fc.array(mutationArbitrary, { maxLength: 2 }),
          id: fc.uuid(),
          reuseId: fc.boolean(),
        }),
        { minLength: 1, maxLength: 12 },
      ),
      contentType: fc.constantFrom(BATCH, SINGLE, `${BATCH}; charset=utf-8`),
    });
    await holds(batchCase, async ({ events, contentType }) => {
      const bodies = events.map(({ type, mutations, id, reuseId }, index) =>
        serialise(baseEvent(type, reuseId && index > 0 ? events[0]!.id : id, index % 2 === 0), mutations),
      );
      const body = `[${bodies.join(',')}]`;
      const response = await post('police', contentType, body);
      return serverError(
        `batch ${describeBatch(events)} ${body.slice(0, 300)}`,
        response.status,
        response.body,
      );
    });
  });

  it('never answers 5xx to a raw body', async () => {
    const rawCase = fc.tuple(rawBodyArbitrary, fc.constantFrom(SINGLE, BATCH, 'application/json'));
    await holds(rawCase, async ([body, type]) => {
      const response = await post('police', type, body);
      return serverError(`raw body ${body.slice(0, 200)}`, response.status, response.body);
    });
  });

  it('never answers 5xx to hostile headers', async () => {
    await holds(headerCaseArbitrary, async (headers: HeaderCase) => {
      const event = baseEvent('iom.arrest.recorded.v1', randomUUID(), true);
      let request = headers.method === 'post' ? t.http.post(headers.path) : t.http.get(headers.path);
      for (const [name, value] of Object.entries(headers.values))
        request = request.set(
          name,
          value.replace(/<token:([a-z-]+)>/g, (_, role: string) => tokenFor(role)),
        );
      const response = await (headers.method === 'post' ? request.send(JSON.stringify(event)) : request);
      return serverError(
        `headers ${JSON.stringify(headers.values)} on ${headers.method} ${headers.path}`,
        response.status,
        response.body,
      );
    });
  });

  it('never answers 5xx to a hostile query string or path', async () => {
    await holds(queryCaseArbitrary, async (query: QueryCase) => {
      const path = query.path.replace('{subject}', query.subject ?? subjectId);
      const token = tokenFor(query.role);
      const response = await t.http
        .get(`${path}${query.search}`)
        .set('X-Purpose-Of-Use', query.purpose)
        .set('Authorization', `Bearer ${token}`)
        .set('Cookie', `throughline_session=${token}`);
      return serverError(
        `GET ${path}${query.search.slice(0, 300)} as ${query.role}`,
        response.status,
        response.body,
      );
    });
  });

  it('stored only events that the published JSON Schemas accept', async () => {
    await t.settle();
    const store = t.app.get(EventStore);
    const refused: string[] = [];
    let stored = 0;
    for (const event of await store.readAll({ maxCount: 1_000_000 })) {
      const meta = event.metadata as unknown as EventMeta;
      if (!meta.ceId || CATALOGUE[event.type as EventType]?.recordedByPlatform) continue;
      stored += 1;
      const envelope = {
        specversion: '1.0',
        id: meta.ceId,
        source: meta.source,
        type: event.type,
        subject: meta.subjectRef,
        time: meta.time,
        datacontenttype: 'application/json',
        data: event.data,
      };
      const problems = schemaVerdict(event.type, envelope);
      if (problems) refused.push(`${event.type} ${meta.ceId}: ${problems}`);
    }
    expect(stored).toBeGreaterThan(1);
    if (process.env.FUZZ_VERBOSE) console.log(`${stored} events stored`);
    expect(refused).toEqual([]);
  });

  /** A token of the role (person) or system credential of the agency, so routes get past authentication. */
  function tokenFor(role: string): string {
    if (role === 'system') return systems.get('police')!;
    return people.get(role) ?? people.get('iom-officer')!;
  }
});

const describeMutations = (mutations: readonly Mutation[]): string =>
  mutations.map((m) => `${m.kind} ${m.path.join('.')}`).join('; ');

const describeBatch = (events: readonly { type: string; mutations: readonly Mutation[] }[]): string =>
  events.map((event) => `[${event.type}: ${describeMutations(event.mutations)}]`).join(' ');
