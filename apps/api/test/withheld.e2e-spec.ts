import { cloudEvent, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';
import { signIn } from './web/page-session';

const BATCH = 'application/cloudevents-batch+json';

/**
 * The auditor's finding: a mentor was told `arrests: 0` about a person with three arrests, and the
 * subject page said "Nothing recorded" for custody. Withheld must read as withheld, with its basis,
 * and the same whether or not there is anything behind it.
 */
describe('withheld is never shown as empty', () => {
  let t: TestApp;
  let arrested: string;
  let clean: string;

  const publish = async (events: unknown[]): Promise<string> => {
    const token = await t.systemToken('police', [POLICE]);
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events))
      .expect(200);
    return (response.body.results as { subjectId: string }[])[0]!.subjectId;
  };

  const read = async (path: string, agency: string, role: string, purpose = 'case-management') => {
    const token = await t.personToken(agency, role);
    return t.http.get(path).set('Authorization', `Bearer ${token}`).set('X-Purpose-Of-Use', purpose);
  };

  /** What a reader is told of the withheld fields: nothing in it may differ between two subjects. */
  const withheldPart = (body: Record<string, unknown> & { custody: Record<string, unknown> }) =>
    JSON.stringify({
      arrests: body.arrests,
      wanted: body.wanted,
      establishment: body.custody.establishment,
      custodyType: body.custody.custodyType,
      cohort: body.cohort,
      bases: body.bases,
      withheld: body.withheld,
    });

  /** One card of the subject page, by its label. */
  const cardOf = (html: string, label: string): string => {
    const match = new RegExp(`<section class="card" aria-label="${label}">[\\s\\S]*?</section>`).exec(html);
    if (!match) throw new Error(`No ${label} card on the page`);
    return match[0];
  };

  beforeAll(async () => {
    t = await startTestApp();
    const three = new SubjectJourney();
    arrested = await publish([
      three.registered('Jordan', 'Pellow'),
      three.arrested(),
      three.arrested('Theft from a shop'),
      three.arrested('Criminal damage'),
    ]);
    const none = new SubjectJourney();
    clean = await publish([none.registered('Casey', 'Trevithick')]);
    // Both on the voluntary sector's caseload: a mentor is key worker for each.
    for (const subjectId of [arrested, clean])
      await publish([
        cloudEvent(POLICE, 'iom.key-worker.assigned.v1', subjectId, {
          agency: 'voluntary',
          worker: 'Mentor Okoro',
          contact: '01782 000003',
        }),
      ]);
    await t.settle();
  });
  afterAll(() => t.close());

  it('tells a mentor that arrests are not shared with their agency, not that there are none', async () => {
    const response = await read(`/v1/subjects/${arrested}`, 'voluntary', 'mentor');
    expect(response.status).toBe(200);
    expect(response.body.arrests).toBeNull();
    expect(response.body.withheld).toMatchObject({
      arrests: 'not-shared',
      wanted: 'not-shared',
      'custody.establishment': 'not-shared',
      'supervision.attended': 'consent-required',
    });
    expect(response.body.bases).toMatchObject({
      identity: 'shared',
      offending: 'not-shared',
      intelligence: 'not-shared',
      custody: 'shared-in-part',
      supervision: 'consent-required',
    });
    expect(response.body.identity).toMatchObject({ familyName: 'Pellow' });
  });

  it('still counts the arrests for the police', async () => {
    const response = await read(`/v1/subjects/${arrested}`, 'police', 'iom-officer');
    expect(response.body.arrests).toBe(3);
    expect(response.body.withheld.arrests).toBeUndefined();
    expect(response.body.bases.offending).toBe('shared');
  });

  it('gives a mentor the same answer, byte for byte, for a person with no arrests', async () => {
    const three = await read(`/v1/subjects/${arrested}`, 'voluntary', 'mentor');
    const none = await read(`/v1/subjects/${clean}`, 'voluntary', 'mentor');
    expect(none.status).toBe(200);
    expect(withheldPart(none.body)).toBe(withheldPart(three.body));
  });

  it('marks withheld flags in the list instead of answering false', async () => {
    const response = await read('/v1/subjects', 'voluntary', 'mentor');
    const rows = (response.body.subjects as { subjectId: string }[]).filter((row) =>
      [arrested, clean].includes(row.subjectId),
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({
        wanted: null,
        band: null,
        withheld: { wanted: 'not-shared', band: 'not-shared' },
        bases: { intelligence: 'not-shared', custody: 'shared-in-part' },
      });
    }
    const { subjectId: _a, name: _b, lastEventAt: _c, ...first } = rows[0] as Record<string, unknown>;
    const { subjectId: _d, name: _e, lastEventAt: _f, ...second } = rows[1] as Record<string, unknown>;
    expect(JSON.stringify(first)).toBe(JSON.stringify(second));
  });

  it('a filter on a withheld flag matches no one', async () => {
    const response = await read('/v1/subjects?band=red', 'voluntary', 'mentor');
    expect(response.body.subjects).toEqual([]);
  });

  it('never says "Nothing recorded" on a mentor’s page for custody, and says so alike for both people', async () => {
    const jar = await signIn(t.http, 'voluntary-mentor');
    const page = (id: string) => t.http.get(`/app/subjects/${id}`).set('Cookie', jar.header()).expect(200);
    const three = cardOf((await page(arrested)).text, 'Custody');
    const none = cardOf((await page(clean)).text, 'Custody');
    expect(three).not.toContain('Nothing recorded');
    expect(three).toContain('Not shared with your agency');
    expect(three).toMatch(/Not shared with your agency<\/span>: [^<]*\barrests\b/);
    expect(none).toBe(three);
    const supervision = cardOf((await page(arrested)).text, 'Supervision');
    expect(supervision).toContain('Shared only with consent; none in force for you');
    expect(supervision).not.toContain('Nothing recorded');
  });

  it('names a safeguarding-only category on a police officer’s page for safeguarding', async () => {
    const response = await read(`/v1/subjects/${arrested}`, 'police', 'iom-officer', 'safeguarding');
    expect(response.body.bases).toMatchObject({ health: 'safeguarding-only', family: 'safeguarding-only' });
    const jar = await signIn(t.http, 'police-iom-officer');
    const page = await t.http
      .get(`/app/subjects/${arrested}?purpose=safeguarding`)
      .set('Cookie', jar.header())
      .expect(200);
    expect(page.text).toContain('Shared only while a safeguarding concern is open');
  });

  it('documents the representation in the OpenAPI', async () => {
    const spec = await t.http.get('/docs-json').expect(200);
    const schema =
      spec.body.paths['/v1/subjects/{subjectId}'].get.responses['200'].content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['bases', 'withheld']));
    expect(schema.properties.withheld.additionalProperties.enum).toEqual([
      'not-shared',
      'consent-required',
      'safeguarding-only',
      'restricted',
    ]);
    expect(schema.properties.bases.properties.offending.enum).toContain('shared-in-part');
    expect(schema.properties.bases.properties.offending.enum).toContain('restricted');
    const list = spec.body.paths['/v1/subjects'].get.responses['200'].content['application/json'].schema;
    expect(list.properties.subjects.items.properties).toHaveProperty('withheld');
  });
});
