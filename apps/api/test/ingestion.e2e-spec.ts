import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { EventStore } from '@throughline/event-store';
import { CATALOGUE_EXAMPLES } from '@throughline/domain';
import { cloudEvent, POLICE, PRISON, PROBATION, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

describe('POST /v1/events', () => {
  let t: TestApp;
  let police: string;
  let prison: string;
  let head: () => Promise<number>;

  beforeAll(async () => {
    t = await startTestApp();
    police = await t.systemToken('police', [POLICE]);
    prison = await t.systemToken('prison', [PRISON]);
    head = () => t.app.get(EventStore).headPosition();
  });
  afterAll(() => t.close());

  const publish = (token: string, body: unknown, type = BATCH) =>
    t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', type)
      .send(JSON.stringify(body));

  it('stores a batch and answers per event, in order', async () => {
    const journey = new SubjectJourney();
    const events = [journey.registered(), journey.arrested(), journey.scored(42, 'red')];
    const response = await publish(police, events).expect(200);
    const results = response.body.results as {
      id: string;
      subjectId: string;
      stream: string;
      revision: number;
      position: number;
      duplicate: boolean;
    }[];
    expect(results.map((r) => r.id)).toEqual(events.map((e) => e.id));
    expect(results.map((r) => r.revision)).toEqual([0, 1, 2]);
    expect(new Set(results.map((r) => r.subjectId)).size).toBe(1);
    expect(results[0]!.stream).toBe(`subject-${results[0]!.subjectId}`);
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(results[2]!.position).toBeGreaterThan(results[0]!.position);
  });

  it('accepts a single structured CloudEvent and resolves any linked identifier', async () => {
    const journey = new SubjectJourney();
    const registered = await publish(police, journey.registered(), SINGLE).expect(200);
    await publish(prison, journey.linked('prison'), SINGLE).expect(200);
    const custody = await publish(prison, journey.receivedIntoCustody(), SINGLE).expect(200);
    expect(custody.body.subjectId).toBe(registered.body.subjectId);
    expect(custody.body.duplicate).toBe(false);
  });

  it('returns the original result with duplicate: true and stores nothing on resubmission', async () => {
    const journey = new SubjectJourney();
    const events = [journey.registered(), journey.arrested()];
    const first = await publish(police, events).expect(200);
    const before = await head();
    const again = await publish(police, events).expect(200);
    expect(await head()).toBe(before);
    expect(again.body.results).toEqual(first.body.results.map((r: object) => ({ ...r, duplicate: true })));
  });

  it('stores concurrent resubmissions once', async () => {
    const journey = new SubjectJourney();
    const events = [journey.registered(), journey.arrested(), journey.arrested('Theft from shop')];
    const before = await head();
    const responses = await Promise.all([
      publish(police, events),
      publish(police, events),
      publish(police, events),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await head()).toBe(before + 3);
    const duplicates = responses.map((r) =>
      (r.body.results as { duplicate: boolean }[]).every((x) => x.duplicate),
    );
    expect(duplicates.filter(Boolean)).toHaveLength(2);
  });

  it('answers an event resubmitted under another subject as the original, stored once', async () => {
    const first = new SubjectJourney();
    const second = new SubjectJourney();
    const arrest = first.arrested();
    const stored = await publish(police, [first.registered(), second.registered(), arrest]).expect(200);
    const original = stored.body.results[2] as object;
    const before = await head();
    const elsewhere = { ...arrest, subject: `pnc:${second.pnc}` };
    const again = await publish(police, [elsewhere]).expect(200);
    expect(again.body.results).toEqual([{ ...original, duplicate: true }]);
    // Another form of the identifier (lower case, short year) names the same person.
    const variant = `pnc:${first.pnc.slice(2).toLowerCase()}`;
    const byVariant = await publish(police, [{ ...arrest, subject: variant }]).expect(200);
    expect(byVariant.body.results).toEqual([{ ...original, duplicate: true }]);
    const registration = { ...first.registered(), id: arrest.id, subject: variant };
    const asRegistration = await publish(police, [registration]).expect(200);
    expect(asRegistration.body.results).toEqual([{ ...original, duplicate: true }]);
    expect(await head()).toBe(before);
  });

  it('stores one of two registrations of one identifier sent at once and refuses the other', async () => {
    const custodySuite = 'urn:throughline:police:custody-north';
    const north = await t.systemToken('police', [custodySuite]);
    // The same person, new to the partnership, registered by two police systems under their own
    // local references, each listing the PNC, in two forms of it.
    const shared = new SubjectJourney();
    const registration = (source: string, pnc: string) =>
      cloudEvent(source, 'iom.subject.registered.v1', `local:${randomUUID()}`, {
        givenName: 'Sam',
        familyName: 'Carter',
        dateOfBirth: '1990-04-12',
        identifiers: [{ scheme: 'pnc', value: pnc }],
      });

    const responses = await Promise.all([
      publish(police, registration(POLICE, shared.pnc), SINGLE),
      publish(north, registration(custodySuite, shared.pnc.slice(2).toLowerCase()), SINGLE),
    ]);

    expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
    const refused = responses.find((response) => response.status === 409)!;
    expect(refused.body.type).toContain('identity-conflict');
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ index: 0, field: 'data.identifiers.0', constraint: 'identifierOwner' }),
    ]);
  });

  describe('identifiers: one form each, claimed only by their issuer', () => {
    const VOLUNTARY = 'urn:throughline:voluntary:mentoring';
    const example = (type: keyof typeof CATALOGUE_EXAMPLES) =>
      ({ ...CATALOGUE_EXAMPLES[type] }) as Record<string, unknown>;

    it("refuses a partner registering a person under the police's PNC; the police's registration and intelligence reach the person", async () => {
      const voluntary = await t.systemToken('voluntary', [VOLUNTARY]);
      const person = new SubjectJourney();
      const before = await head();
      const asPnc = cloudEvent(VOLUNTARY, 'iom.subject.registered.v1', `pnc:${person.pnc}`, {
        givenName: 'Sam',
        familyName: 'Carter',
        dateOfBirth: '1990-04-12',
        identifiers: [],
      });
      const listingPnc = cloudEvent(VOLUNTARY, 'iom.subject.registered.v1', 'local:VOL-1', {
        givenName: 'Sam',
        familyName: 'Carter',
        dateOfBirth: '1990-04-12',
        identifiers: [
          { scheme: 'local', value: 'VOL-1' },
          { scheme: 'pnc', value: person.pnc },
        ],
      });
      const refused = await publish(voluntary, [asPnc, listingPnc]).expect(403);
      expect(refused.body.type).toContain('publishing-not-allowed');
      expect(refused.body.errors).toEqual([
        expect.objectContaining({
          index: 0,
          field: 'subject',
          constraint: 'identifierIssuer',
          message: expect.stringMatching(
            /^pnc identifiers are issued by police, and only police may register/,
          ),
        }),
        expect.objectContaining({ index: 1, field: 'data.identifiers.1', constraint: 'identifierIssuer' }),
      ]);
      expect(await head()).toBe(before);

      const registered = await publish(police, [person.registered()]).expect(200);
      const subjectId = registered.body.results[0].subjectId as string;
      const intelligence = cloudEvent(
        POLICE,
        'iom.intelligence.logged.v1',
        `pnc:${person.pnc}`,
        example('iom.intelligence.logged.v1'),
      );
      const logged = await publish(police, [intelligence]).expect(200);
      expect(logged.body.results[0].subjectId).toBe(subjectId);

      // The partner names the person by the PNC, and links its own local id, which is its alone.
      const debt = cloudEvent(
        VOLUNTARY,
        'iom.debt.recorded.v1',
        `pnc:${person.pnc}`,
        example('iom.debt.recorded.v1'),
      );
      const own = cloudEvent(VOLUNTARY, 'iom.subject.identifier-linked.v1', `pnc:${person.pnc}`, {
        scheme: 'local',
        value: 'VOL-1',
      });
      const byLocal = cloudEvent(
        VOLUNTARY,
        'iom.debt.recorded.v1',
        'local:VOL-1',
        example('iom.debt.recorded.v1'),
      );
      const named = await publish(voluntary, [debt, own, byLocal]).expect(200);
      expect(named.body.results.map((r: { subjectId: string }) => r.subjectId)).toEqual([
        subjectId,
        subjectId,
        subjectId,
      ]);
      // Another agency's local id of the same spelling is another identifier: the police know no VOL-1.
      const policeLocal = await publish(police, [{ ...person.arrested(), subject: 'local:VOL-1' }]).expect(
        422,
      );
      expect(policeLocal.body.errors[0]).toMatchObject({ field: 'subject', constraint: 'knownSubject' });
    });

    it('refuses an agency linking a scheme it does not issue, and lets the issuer link it', async () => {
      const probation = await t.systemToken('probation', [PROBATION]);
      const person = new SubjectJourney();
      await publish(police, [person.registered()]).expect(200);
      const before = await head();
      const byProbation = { ...person.linked('prison'), source: PROBATION };
      const refused = await publish(probation, [byProbation]).expect(403);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ index: 0, field: 'data.value', constraint: 'identifierIssuer' }),
      ]);
      expect(await head()).toBe(before);
      await publish(prison, [person.linked('prison')]).expect(200);
      await publish(probation, [person.linked('probation')]).expect(200);
    });

    it('registers no second person under another form of an identifier', async () => {
      const person = new SubjectJourney();
      const first = await publish(police, [person.registered()]).expect(200);
      const before = await head();
      for (const form of [
        person.pnc.toLowerCase(),
        person.pnc.slice(2),
        ` ${person.pnc.slice(2).toLowerCase()} `,
      ]) {
        const again = await publish(police, [
          { ...person.registered('Other', 'Person'), subject: `pnc:${form}` },
        ]).expect(409);
        expect(again.body.errors[0]).toMatchObject({
          index: 0,
          field: 'subject',
          constraint: 'alreadyRegistered',
        });
      }
      expect(await head()).toBe(before);
      const arrest = await publish(police, [
        { ...person.arrested(), subject: `pnc:${person.pnc.slice(2).toLowerCase()}` },
      ]).expect(200);
      expect(arrest.body.results[0].subjectId).toBe(first.body.results[0].subjectId);
    });
  });

  describe('refuses bad input with a specific problem and stores nothing', () => {
    let before: number;
    beforeEach(async () => {
      before = await head();
    });
    afterEach(async () => {
      expect(await head()).toBe(before);
    });

    it('401 without a token', async () => {
      const response = await t.http.post('/v1/events').set('Content-Type', BATCH).send('[]').expect(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.detail).toMatch(/bearer token/i);
    });

    it('401 for a token signed by another key', async () => {
      const forged = await new SignJWT({
        agency: 'police',
        role: 'system',
        kind: 'system',
        sources: [POLICE],
      })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('x')
        .setIssuer('throughline')
        .setAudience('throughline')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('not-the-key-not-the-key-not-the-key'));
      await publish(forged, [new SubjectJourney().registered()]).expect(401);
    });

    it('401 for an expired token', async () => {
      const tokens = new (await import('@throughline/auth')).TokenService(t.config);
      const expired = await tokens.mint({
        agency: 'police',
        system: true,
        sources: [POLICE],
        ttlSeconds: -10,
      });
      const response = await publish(expired, [new SubjectJourney().registered()]).expect(401);
      expect(response.body.detail).toMatch(/expired/);
    });

    it('415 for a content type that is not CloudEvents', async () => {
      await publish(police, [new SubjectJourney().registered()], 'text/plain').expect(415);
      await publish(police, [new SubjectJourney().registered()], 'application/json').expect(415);
    });

    it('400 for malformed JSON', async () => {
      const response = await t.http
        .post('/v1/events')
        .set('Authorization', `Bearer ${police}`)
        .set('Content-Type', BATCH)
        .send('[{"specversion": "1.0",')
        .expect(400);
      expect(response.body.title).toBe('Malformed JSON');
    });

    it('413 for a batch over 1000 events', async () => {
      const journey = new SubjectJourney();
      const events = Array.from({ length: 1001 }, () => journey.arrested());
      const response = await publish(police, events).expect(413);
      expect(response.body.detail).toMatch(/1001/);
    });

    it('413 for a body over the size limit', async () => {
      const huge = { ...new SubjectJourney().registered(), padding: 'x'.repeat(6 * 1024 * 1024) };
      await publish(police, huge, SINGLE).expect(413);
    });

    it('422 naming the event index and field path for each invalid event', async () => {
      const journey = new SubjectJourney();
      const badScore = journey.scored(99, 'red');
      const badIdentifier = journey.registered();
      (badIdentifier.data.identifiers as { scheme: string }[])[0]!.scheme = 'passport';
      const badValues = cloudEvent(POLICE, 'iom.subject.registered.v1', `local:${randomUUID()}`, {
        givenName: 'A',
        familyName: 'B',
        dateOfBirth: '1990-01-01',
        identifiers: [
          { scheme: 'pnc', value: new SubjectJourney().pnc },
          { scheme: 'pnc', value: 'hello-world' },
          { scheme: 'nhs', value: 'banana' },
        ],
      });
      const badSubject = { ...journey.arrested(), subject: 'pnc:2020/0012890X' };
      const response = await publish(police, [
        journey.registered(),
        badScore,
        { ...journey.arrested(), specversion: '0.3' },
        badIdentifier,
        badValues,
        badSubject,
      ]).expect(422);
      expect(response.body.detail).toMatch(/nothing was stored/);
      const errors = response.body.errors as { index: number; field: string }[];
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ index: 1, field: 'data.score' }),
          expect.objectContaining({ index: 2, field: 'specversion' }),
          expect.objectContaining({ index: 3, field: 'data.identifiers.0.scheme' }),
          expect.objectContaining({
            index: 4,
            field: 'data.identifiers.1.value',
            constraint: 'isIdentifierValue',
            message: expect.stringMatching(/^value is not a PNC id: a PNC id is the year \(YY or YYYY\)/),
          }),
          expect.objectContaining({
            index: 4,
            field: 'data.identifiers.2.value',
            constraint: 'isIdentifierValue',
            message: expect.stringMatching(/^value is not an NHS number: an NHS number is 10 digits/),
          }),
          expect.objectContaining({
            index: 5,
            field: 'subject',
            constraint: 'subjectReference',
            message: 'subject pnc: is not a PNC id: the check letter does not match the year and serial',
          }),
        ]),
      );
      expect(errors.filter((e) => e.index === 4)).toHaveLength(2);
      expect(errors.some((e) => e.index === 0)).toBe(false);
    });

    it('422 for an unknown type and for missing attributes', async () => {
      const journey = new SubjectJourney();
      const { time: _time, ...noTime } = journey.arrested();
      const response = await publish(police, [
        { ...journey.arrested(), type: 'iom.made.up.v1' },
        noTime,
      ]).expect(422);
      expect(response.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ index: 0, field: 'type', constraint: 'knownType' }),
          expect.objectContaining({ index: 1, field: 'time', constraint: 'required' }),
        ]),
      );
    });

    it('422 for an identifier the partnership does not know', async () => {
      const response = await publish(police, [new SubjectJourney().arrested()]).expect(422);
      expect(response.body.errors[0]).toMatchObject({
        index: 0,
        field: 'subject',
        constraint: 'knownSubject',
      });
    });

    it('403 for a source not bound to the credential', async () => {
      const event = cloudEvent(
        'urn:throughline:police:elsewhere',
        'iom.subject.registered.v1',
        `pnc:${new SubjectJourney().pnc}`,
        {
          givenName: 'A',
          familyName: 'B',
          dateOfBirth: '1990-01-01',
          identifiers: [],
        },
      );
      const response = await publish(police, [event]).expect(403);
      expect(response.body.errors[0]).toMatchObject({ index: 0, field: 'source', constraint: 'boundSource' });
    });

    it('403 when the agency may not publish the type (prison cannot record an arrest)', async () => {
      const journey = new SubjectJourney();
      const arrest = { ...journey.arrested(), source: PRISON };
      const response = await publish(prison, [arrest]).expect(403);
      expect(response.body.errors[0]).toMatchObject({
        index: 0,
        field: 'type',
        constraint: 'publishingAuthority',
      });
    });

    it('403 for a person publishing instead of an agency system', async () => {
      const person = await t.personToken('police', 'iom-officer');
      await publish(person, [new SubjectJourney().registered()]).expect(403);
    });

    it('422 for dates and instants that are not real or not in the extended form', async () => {
      const journey = new SubjectJourney();
      await publish(police, [journey.registered()]).expect(200);
      before = await head();
      const timed = (time: string) => ({ ...journey.arrested(), time });
      const consent = (expires: unknown) =>
        cloudEvent(POLICE, 'iom.consent.given.v1', `pnc:${journey.pnc}`, {
          scope: { categories: ['drugs'], recipients: ['probation'], purposes: ['case-management'] },
          expires,
          recordedBy: 'R. Patel',
          formReference: 'CF-1',
        });
      const response = await publish(police, [
        timed('2026-02-30T10:00:00Z'),
        timed('2024-01-01T24:00:00Z'),
        timed('9999-01-01T00:00:00Z'),
        consent('20990101'),
        consent('2026-W01-1'),
        consent('2024-001'),
        consent('2024-06-30 '),
        consent(null),
      ]).expect(422);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ index: 0, field: 'time', constraint: 'isInstant' }),
        expect.objectContaining({ index: 1, field: 'time', constraint: 'isInstant' }),
        expect.objectContaining({ index: 2, field: 'time', constraint: 'isInstant' }),
        expect.objectContaining({ index: 3, field: 'data.expires', constraint: 'isDateOrInstant' }),
        expect.objectContaining({ index: 4, field: 'data.expires', constraint: 'isDateOrInstant' }),
        expect.objectContaining({ index: 5, field: 'data.expires', constraint: 'isDateOrInstant' }),
        expect.objectContaining({ index: 6, field: 'data.expires', constraint: 'isDateOrInstant' }),
        expect.objectContaining({ index: 7, field: 'data.expires', constraint: 'isDateOrInstant' }),
      ]);
    });

    it('422 for unknown fields named like the methods every object has, at any depth', async () => {
      const journey = new SubjectJourney();
      const registered = journey.registered();
      const json = JSON.stringify([registered]).replace(
        '"givenName"',
        '"__proto__":{"x":1},"constructor":null,"hasOwnProperty":1,"valueOf":1,"__defineGetter__":1,"givenName"',
      );
      const nested = JSON.stringify([journey.registered()]).replace(
        '"scheme":"pnc"',
        '"constructor":{"name":"x"},"__proto__":null,"scheme":"pnc"',
      );
      const response = await t.http
        .post('/v1/events')
        .set('Authorization', `Bearer ${police}`)
        .set('Content-Type', BATCH)
        .send(json)
        .expect(422);
      expect(
        (response.body.errors as { field: string; constraint: string }[]).map(
          (e) => `${e.field}:${e.constraint}`,
        ),
      ).toEqual(
        ['__proto__', 'constructor', 'hasOwnProperty', 'valueOf', '__defineGetter__'].map(
          (key) => `data.${key}:whitelistValidation`,
        ),
      );
      const deeper = await t.http
        .post('/v1/events')
        .set('Authorization', `Bearer ${police}`)
        .set('Content-Type', BATCH)
        .send(nested)
        .expect(422);
      expect(deeper.body.errors).toEqual([
        expect.objectContaining({
          field: 'data.identifiers.0.constructor',
          constraint: 'whitelistValidation',
        }),
        expect.objectContaining({ field: 'data.identifiers.0.__proto__', constraint: 'whitelistValidation' }),
      ]);
    });

    it('422 for an event nested thousands deep, in data or in the envelope', async () => {
      const journey = new SubjectJourney();
      const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
      const body = JSON.stringify([journey.registered(), journey.registered()])
        .replace('"identifiers":[', `"identifiers":[${deep},`)
        .replace(/("datacontenttype":"application\/json")(?![\s\S]*"datacontenttype")/, `$1,"ext":${deep}`);
      const response = await t.http
        .post('/v1/events')
        .set('Authorization', `Bearer ${police}`)
        .set('Content-Type', BATCH)
        .send(body)
        .expect(422);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ index: 0, constraint: 'maxDepth' }),
        expect.objectContaining({ index: 1, constraint: 'maxDepth' }),
      ]);
    });

    it("422 for a correction whose replacement is not the target type's data", async () => {
      const journey = new SubjectJourney();
      const arrest = journey.arrested();
      await publish(police, [journey.registered(), arrest]).expect(200);
      before = await head();
      const correction = (replacement: unknown, targetEventId = arrest.id) =>
        cloudEvent(POLICE, 'iom.record.corrected.v1', `pnc:${journey.pnc}`, {
          targetEventId,
          reason: 'Wrong group',
          replacement,
        });
      const poison = JSON.parse(
        `{"offence":"Burglary dwelling","offenceGroup":"not-a-group","arrestedAt":"2025-01-06T10:00:00Z","custodySuite":{"$gt":""},"padding":"${'x'.repeat(10_000)}"}`,
      ) as unknown;
      const laterArrest = journey.arrested('Theft from shop');
      const response = await publish(police, [
        correction(poison),
        laterArrest,
        correction({ ...arrest.data, arrestedAt: '20250106' }, laterArrest.id),
      ]).expect(422);
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          index: 0,
          field: 'data.replacement.padding',
          constraint: 'whitelistValidation',
        }),
        expect.objectContaining({ index: 0, field: 'data.replacement.offenceGroup', constraint: 'isIn' }),
        expect.objectContaining({ index: 0, field: 'data.replacement.custodySuite', constraint: 'isLength' }),
        expect.objectContaining({ index: 0, field: 'data.replacement.custodySuite', constraint: 'isString' }),
        expect.objectContaining({ index: 2, field: 'data.replacement.arrestedAt', constraint: 'isInstant' }),
      ]);
      const fix = correction({ ...arrest.data, custodySuite: 'Watling Street' });
      await publish(police, [fix]).expect(200);
      before = await head();
      const ofTheFix = await publish(police, [correction({ ...fix.data, reason: 'Typo' }, fix.id)]).expect(
        422,
      );
      expect(ofTheFix.body.errors).toEqual([
        expect.objectContaining({ field: 'data.targetEventId', constraint: 'originalTarget' }),
      ]);
    });

    it('409 for registering an identifier that already belongs to a subject', async () => {
      const journey = new SubjectJourney();
      await publish(police, [journey.registered()]).expect(200);
      before = await head();
      const again = journey.registered('Other', 'Person');
      const response = await publish(police, [again]).expect(409);
      expect(response.body.errors[0]).toMatchObject({
        index: 0,
        field: 'subject',
        constraint: 'alreadyRegistered',
      });
    });

    it('409 naming the field of each identifier that belongs to another subject', async () => {
      const [owner, other, fresh] = [new SubjectJourney(), new SubjectJourney(), new SubjectJourney()];
      await publish(police, [owner.registered(), other.registered()]).expect(200);
      await publish(prison, [owner.linked('prison')]).expect(200);
      before = await head();
      // The second identifier listed is the owner's PNC in another form: it is theirs all the same.
      const listing = (subject: string) =>
        cloudEvent(POLICE, 'iom.subject.registered.v1', subject, {
          givenName: 'Alex',
          familyName: 'Marsh',
          dateOfBirth: '1990-04-12',
          identifiers: [
            { scheme: 'local', value: `CUST-${randomUUID()}` },
            { scheme: 'pnc', value: owner.pnc.slice(2).toLowerCase() },
          ],
        });
      const link = cloudEvent(PRISON, 'iom.subject.identifier-linked.v1', `pnc:${other.pnc}`, {
        scheme: 'nomis',
        value: owner.nomis.toLowerCase(),
      });

      const byPartnershipId = await publish(police, [listing(randomUUID())]).expect(409);
      const byIdentifier = await publish(police, [listing(`pnc:${fresh.pnc}`)]).expect(409);
      const linked = await publish(prison, [link]).expect(409);

      for (const response of [byPartnershipId, byIdentifier]) {
        expect(response.body.type).toContain('identity-conflict');
        expect(response.body.errors).toEqual([
          expect.objectContaining({ index: 0, field: 'data.identifiers.1', constraint: 'identifierOwner' }),
        ]);
      }
      expect(linked.body.errors).toEqual([
        expect.objectContaining({ index: 0, field: 'data.value', constraint: 'identifierOwner' }),
      ]);
    });
  });
});

describe('idempotency across restarts', () => {
  it('a resubmission after a restart stores nothing', async () => {
    const first = await startTestApp();
    const dataDir = first.config.dataDir;
    const token = await first.systemToken('police', [POLICE]);
    const journey = new SubjectJourney();
    const events = [journey.registered(), journey.arrested()];
    const send = (app: TestApp) =>
      app.http
        .post('/v1/events')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', BATCH)
        .send(JSON.stringify(events));
    const original = await send(first).expect(200);
    await first.close({ keepData: true });

    const second = await startTestApp({}, dataDir);
    try {
      const before = await second.app.get(EventStore).headPosition();
      const again = await send(second).expect(200);
      expect(again.body.results).toEqual(
        original.body.results.map((r: object) => ({ ...r, duplicate: true })),
      );
      expect(await second.app.get(EventStore).headPosition()).toBe(before);
    } finally {
      await second.close();
    }
  });
});
