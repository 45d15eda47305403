import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { moduleLoader } from '@throughline/platform';
import type { KafkaSettings } from '../kafka-settings';

/** What the relay in a child process last reported of itself. */
export interface RelayReport {
  readonly role: 'leader' | 'standby' | 'stopped';
  readonly position: number;
  readonly sent: number;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * An alerts relay in a Node process of its own (relay-process.child.ts), with its own connections
 * to the stores the configuration `env` names and to the broker: a worker that a test can kill with
 * SIGKILL at any moment.
 */
export class RelayProcess {
  private report: RelayReport = { role: 'stopped', position: 0, sent: 0 };
  private readonly output: string[] = [];
  private exit: Exit | undefined;
  readonly exited: Promise<Exit>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
    child.on('message', (report: RelayReport) => (this.report = report));
    // Drain both pipes (a full pipe would stall the child) and keep the tail for failure messages.
    const keep = (chunk: Buffer) => this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static start(settings: KafkaSettings, env: Record<string, string>): RelayProcess {
    const child = spawn(
      process.execPath,
      ['-e', moduleLoader(join(__dirname, 'relay-process.child'), __filename, { aliases: true })],
      {
        env: { ...process.env, THROUGHLINE_RELAY_PROCESS: JSON.stringify({ settings, env }) },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    return new RelayProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** `stopped` once the process has exited, whatever it last said. */
  get role(): RelayReport['role'] {
    return this.running ? this.report.role : 'stopped';
  }

  get position(): number {
    return this.report.position;
  }

  get sent(): number {
    return this.report.sent;
  }

  /** The last lines the process wrote, for assertion messages. */
  get tail(): string {
    return this.output.slice(-30).join('\n');
  }

  /** The way a process dies to the OOM killer or a power cut: no step of shutdown runs. */
  async kill(): Promise<Exit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** A clean stop: the batch in hand finishes and the lease is let go. */
  async stop(): Promise<Exit> {
    if (this.running) this.child.send('stop');
    return this.exited;
  }
}
