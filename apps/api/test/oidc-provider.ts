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
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const lines = createInterface({ input: child.stdout! });
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
