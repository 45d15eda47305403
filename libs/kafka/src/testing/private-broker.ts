import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

/** The broker recipe (jars, server.properties, log4j) that infra/kafka/kafka.sh uses. */
export function recipeDir(from = __dirname): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'infra', 'kafka', 'kafka.sh'))) return join(dir, 'infra', 'kafka');
  }
  throw new Error(`infra/kafka not found above ${from}`);
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

const run = (command: string, args: string[]): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(command, args, { timeout: 5 * 60_000 }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`))
        : resolve(stdout),
    ),
  );

/**
 * A broker of this test's own, on free ports, for tests that must stop and restart it: the shared
 * broker on 127.0.0.1:9092 serves every other suite at the same time, and kafka.sh deletes the data
 * directory on stop. This one keeps its directory across restarts, as a real broker does.
 */
export class PrivateBroker {
  private process?: ChildProcess;

  private constructor(
    private readonly recipe: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  static async create(): Promise<PrivateBroker> {
    const recipe = recipeDir();
    await run('bash', [join(recipe, 'kafka.sh'), 'fetch']);
    const [port, controllerPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'throughline-kafka-private-'));
    const props = readFileSync(join(recipe, 'server.properties'), 'utf8')
      .replace(/^controller\.quorum\.voters=.*$/m, `controller.quorum.voters=1@127.0.0.1:${controllerPort}`)
      .replace(
        /^listeners=.*$/m,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      )
      .replace(/^advertised\.listeners=.*$/m, `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`)
      .replace(/^log\.dirs=.*$/m, `log.dirs=${join(dir, 'data')}`);
    writeFileSync(join(dir, 'server.properties'), props);
    const broker = new PrivateBroker(recipe, dir, port);
    const clusterId = (
      await run('java', [...broker.jvm('256m'), 'kafka.tools.StorageTool', 'random-uuid'])
    ).trim();
    await run('java', [
      ...broker.jvm('256m'),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      join(dir, 'server.properties'),
    ]);
    return broker;
  }

  /** Starts the broker on its existing data and waits until it serves metadata. */
  async start(timeoutMs = 90_000): Promise<void> {
    const child = spawn('java', [...this.jvm('512m'), 'kafka.Kafka', join(this.dir, 'server.properties')], {
      stdio: 'ignore',
    });
    this.process = child;
    const admin = new Kafka({
      clientId: 'private-broker-probe',
      brokers: this.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`broker exited during startup (code ${child.exitCode}); logs in ${this.dir}`);
      try {
        await admin.connect();
        await admin.describeCluster();
        await admin.disconnect();
        return;
      } catch {
        await admin.disconnect().catch(() => undefined);
        if (Date.now() > deadline)
          throw new Error(`broker not ready on ${this.brokers[0]} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Stops the process (SIGKILL: a crash, not a controlled shutdown) and keeps the data. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      // A controlled shutdown that hangs must not outlive the test run.
      const fallback = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => {
        clearTimeout(fallback);
        resolve();
      });
      child.kill(signal);
    });
  }

  async destroy(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private jvm(heap: string): string[] {
    return [
      `-Xmx${heap}`,
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      `-Dkafka.logs.dir=${this.dir}`,
      `-Dlog4j.configuration=file:${join(this.recipe, 'log4j.properties')}`,
      '-cp',
      `${join(this.recipe, 'target', 'libs')}/*`,
    ];
  }
}
