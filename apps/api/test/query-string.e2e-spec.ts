import { startTestApp, type TestApp } from './test-app';

/** A repeated or nested query parameter is refused by name, on every route, before any handler. */
describe('query strings', () => {
  let t: TestApp;
  let practitioner: string;
  let igLead: string;
  let chair: string;

  beforeAll(async () => {
    t = await startTestApp();
    practitioner = await t.personToken('police', 'iom-officer');
    igLead = await t.personToken('partnership', 'ig-lead');
    chair = await t.personToken('police', 'tasking-chair');
  });
  afterAll(() => t.close());

  const api = (path: string, token: string, purpose = 'case-management') =>
    t.http.get(path).set('Authorization', `Bearer ${token}`).set('X-Purpose-Of-Use', purpose);

  it.each([
    ['/v1/subjects?q=a&q=b', 'practitioner', 'q', 'more than once'],
    ['/v1/subjects?band=red&band=amber', 'practitioner', 'band', 'more than once'],
    ['/v1/subjects?q[x]=1', 'practitioner', 'q[x]', 'nested'],
    ['/v1/subjects/any-subject/timeline?limit=1&limit=2', 'practitioner', 'limit', 'more than once'],
    ['/v1/audit/disclosures?user=a&user=b', 'igLead', 'user', 'more than once'],
    ['/v1/audit/disclosures?user[$ne]=a', 'igLead', 'user[$ne]', 'nested'],
    ['/v1/audit/refusals?from=2026-01-01&from=2026-02-01', 'igLead', 'from', 'more than once'],
    ['/v1/audit/export?format=csv&format=json', 'igLead', 'format', 'more than once'],
    ['/v1/audit/break-glass?status=all&status=approved', 'igLead', 'status', 'more than once'],
    ['/v1/tasking/board?since=2026-01-01&since=2026-02-01', 'chair', 'since', 'more than once'],
  ])('GET %s: 400 naming the parameter', async (path, who, name, why) => {
    const token = { practitioner, igLead, chair }[who]!;
    const response = await api(path, token, who === 'chair' ? 'tasking' : 'case-management').expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: 'https://throughline.dev/problems/invalid-query',
      status: 400,
      errors: [{ field: name, constraint: 'single-value' }],
    });
    expect(response.body.detail).toContain(`"${name}"`);
    expect(response.body.detail).toContain(why);
  });

  it('still answers the same routes with each parameter given once', async () => {
    await api('/v1/subjects?q=a&band=red', practitioner).expect(200);
    await api('/v1/audit/disclosures?user=a', igLead).expect(200);
    await api('/v1/tasking/board?since=2026-01-01', chair, 'tasking').expect(200);
  });

  it('applies the rule on a route no credential opens, and authenticates first on one that does', async () => {
    const page = await t.http.get('/app/sign-in?next=/app&next=/app/board');
    expect(page.status).toBe(400);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('&quot;next&quot; is given more than once');
    const anonymous = await t.http.get('/v1/subjects?q=a&q=b').set('X-Purpose-Of-Use', 'case-management');
    expect(anonymous.status).toBe(401);
  });

  it('answers a page with a page saying which parameter', async () => {
    const session = `throughline_session=${chair}`;
    const refused = await t.http
      .get('/app/board?sort=name:ascending&sort=band:descending')
      .set('Cookie', session);
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.text).toContain('&quot;sort&quot; is given more than once');
    const page = await t.http.get('/app/board?sort=band:descending').set('Cookie', session).expect(200);
    // The current sort rides on the Apply button, so sorting by a column sends "sort" once.
    expect(page.text).toMatch(/<button\s+type="submit"\s+name="sort" value="band:descending"\s*>\s*Apply/);
    expect(page.text).not.toMatch(/type="hidden" name="sort"/);
  });
});
