import type request from 'supertest';

type Http = ReturnType<typeof request>;

/** The cookies a browser would hold, as one Cookie header. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(setCookie: string[] | string | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index);
      const value = pair!.slice(index + 1);
      if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** The CSRF field of the first form on a page. */
export const csrfOf = (html: string): string => {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('No CSRF field on the page');
  return match[1]!;
};

/** Signs in as a demo persona the way the form does; returns the browser's cookie jar. */
export async function signIn(http: Http, persona: string, user?: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const form = await http.get('/app/sign-in').expect(200);
  jar.take(form.headers['set-cookie']);
  const answer = await http
    .post('/app/sign-in')
    .set('Cookie', jar.header())
    .type('form')
    .send({ _csrf: csrfOf(form.text), persona, ...(user ? { user } : {}) })
    .expect(303);
  jar.take(answer.headers['set-cookie']);
  return jar;
}
