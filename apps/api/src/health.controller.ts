import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventStore } from '@throughline/event-store';
import { ProblemException } from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import { ServingState } from './serving-state';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly serving: ServingState,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'The store answers and, where this process runs projections, each has caught up with the log once and none has failed',
  })
  async ready(): Promise<{ status: 'ready'; backend: string; head: number; quarantined?: number }> {
    const notServing = this.serving.notServing;
    if (notServing) throw new ProblemException(503, 'not-ready', 'Not ready', notServing);
    let head: number;
    try {
      head = await this.store.headPosition();
    } catch {
      throw new ProblemException(503, 'not-ready', 'Not ready', 'The event store is not answering');
    }
    // With projections left to a worker (RUN_PROJECTIONS=false) there is nothing here to wait for.
    if (!this.runner.active) return { status: 'ready', backend: this.store.backend, head };
    if (!this.runner.allCaughtUpOnce) {
      throw new ProblemException(
        503,
        'not-ready',
        'Not ready',
        'Projections are still catching up with the log',
      );
    }
    const failed = this.runner.failed;
    if (failed.length > 0) {
      throw new ProblemException(
        503,
        'not-ready',
        'Not ready',
        `Projections failed: ${failed.join(', ')}; they are retried from their checkpoints`,
      );
    }
    // Subjects held back in quarantine leave every other served: ready, and saying so.
    let quarantined: number;
    try {
      quarantined = await this.runner.quarantinedCount();
    } catch {
      throw new ProblemException(503, 'not-ready', 'Not ready', 'The read-model store is not answering');
    }
    return {
      status: 'ready',
      backend: this.store.backend,
      head,
      ...(quarantined > 0 ? { quarantined } : {}),
    };
  }
}
