import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from '@throughline/audit';
import { AuthModule } from '@throughline/auth';
import { ProjectionsModule } from '@throughline/projections';
import { SharingModule } from '@throughline/sharing';
import { SubjectsModule } from '@throughline/subjects';
import { ReadAgendaHandler, ReadMinutesHandler } from './features/meetings/meeting-reads.query';
import { MeetingsController } from './features/meetings/meetings.controller';
import { MeetingsService } from './features/meetings/meetings.service';
import { MeasuresController } from './features/measures/measures.controller';
import { MeasuresService } from './features/measures/measures.service';
import { ReadBoardHandler, ReadDeselectionsHandler } from './features/read-board.query';
import { TaskingController } from './features/tasking.controller';
import { TaskingService } from './features/tasking.service';

@Module({
  imports: [CqrsModule, AuthModule, AuditModule, ProjectionsModule, SharingModule, SubjectsModule],
  controllers: [TaskingController, MeasuresController, MeetingsController],
  providers: [
    TaskingService,
    MeasuresService,
    MeetingsService,
    ReadBoardHandler,
    ReadDeselectionsHandler,
    ReadAgendaHandler,
    ReadMinutesHandler,
  ],
  exports: [TaskingService, MeasuresService, MeetingsService],
})
export class TaskingModule {}
