import { Logger } from '@nestjs/common';
import { stopOnSignals } from './shutdown';

class Lines extends Logger {
  readonly lines: string[] = [];

  override log(message: string): void {
    this.lines.push(message);
  }

  override error(message: string): void {
    this.lines.push(message);
  }
}

describe('stopOnSignals', () => {
  let dispose: (() => void) | undefined;
  afterEach(() => dispose?.());

  const listen = (stop: () => Promise<void>, graceMs = 10_000) => {
    const logger = new Lines();
    let exit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    dispose = stopOnSignals({ stop, graceMs, logger, exit, unfinished: () => ['POST /v1/events'] });
    return { logger, exited };
  };

  it('exits 0 once stopped, saying so', async () => {
    const { logger, exited } = listen(() => Promise.resolve());
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(0);
    expect(logger.lines).toEqual(['SIGTERM received: stopping, within 10 s', 'Stopped']);
  });

  it('exits 1 when stopping fails', async () => {
    const { logger, exited } = listen(() => Promise.reject(new Error('store gone')));
    process.emit('SIGINT', 'SIGINT');
    expect(await exited).toBe(1);
    expect(logger.lines).toContain('Stopping failed: store gone');
  });

  it('exits 1 past the grace period, naming what it abandoned', async () => {
    const { logger, exited } = listen(() => new Promise<void>(() => undefined), 10);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
    expect(logger.lines).toContain('Not stopped within 0.01 s; exiting with unfinished: POST /v1/events');
  });

  it('exits 1 at once on a second signal', async () => {
    const { logger, exited } = listen(() => new Promise<void>(() => undefined));
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    expect(await exited).toBe(1);
    expect(logger.lines).toContain(
      'SIGINT received again while stopping; exiting with unfinished: POST /v1/events',
    );
  });
});
