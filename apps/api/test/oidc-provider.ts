import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { within } from './child-process';

export interface TestOidcOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly agencyClaim: string;
  readonly roleClaim: string;
  /** Claims per login name, beside `sub` (the login name itself). */
  readonly accounts: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The host name in the issuer URL (it listens on 127.0.0.1 whatever the name). */
  readonly hostname?: 'localhost' | '127.0.0.1';
}

/** oidc-provider, running as a child process on loopback (see oidc-provider.child.mjs). */
export class TestOidcProvider {
  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
    readonly output: string[],
  ) {}

  static async start(options: TestOidcOptions): Promise<TestOidcProvider> {
    const child = spawn(process.execPath, [join(__dirname, 'oidc-provider.child.mjs')], {
      env: { ...process.env, TEST_OIDC_OPTIONS: JSON.stringify(options), NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    const first = new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the provider exited (${code}): ${output.join('')}`)));
    });
    const { issuer } = JSON.parse(await within(first, 30_000, 'the OpenID provider to listen')) as {
      issuer: string;
    };
    lines.on('line', (line) => output.push(line));
    return new TestOidcProvider(child, issuer, output);
  }

  /** Stops the provider: nothing listens at its address any more. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await within(exited, 10_000, 'the OpenID provider to stop');
  }
}

/** The provider's side of the browser: its cookies (paths ignored) and its forms. */
export class ProviderBrowser {
  private readonly cookies = new Map<string, string>();

  private take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index);
      const value = pair!.slice(index + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url: string, form?: Record<string, string>): Promise<Response> {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    this.take(response);
    return response;
  }

  /**
   * Follows the provider's redirects and fills its forms (devInteractions: login, then consent;
   * the logout confirmation) until it sends the browser back to us. Returns that address.
   */
  async until(start: string, back: string, login: string): Promise<URL> {
    let url = start;
    for (let step = 0; step < 12; step++) {
      if (url.startsWith(back)) return new URL(url);
      const response = await this.request(url);
      if (response.status >= 300 && response.status < 400) {
        url = new URL(response.headers.get('location')!, url).href;
        continue;
      }
      const page = await response.text();
      if (response.status !== 200) throw new Error(`The provider answered ${response.status}:\n${page}`);
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
      if (!action) throw new Error(`No form on the provider's page:\n${page}`);
      const fields: Record<string, string> = {};
      for (const [, name, value] of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
        fields[name!] = value!;
      if (page.includes('name="login"')) Object.assign(fields, { login, password: 'any' });
      if (page.includes('op.logoutForm')) fields.logout = 'yes';
      const answer = await this.request(new URL(action, url).href, fields);
      if (answer.status < 300 || answer.status >= 400)
        throw new Error(`The provider refused the form (${answer.status}):\n${await answer.text()}`);
      url = new URL(answer.headers.get('location')!, url).href;
    }
    throw new Error(`The provider never sent the browser back to ${back}`);
  }
}

/** An attribute's value as the browser reads it. */
export const unescapeAttribute = (attribute: string): string =>
  attribute
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
