import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from '@throughline/audit';
import { AuthModule } from '@throughline/auth';
import { ProjectionsModule } from '@throughline/projections';
import { SharingModule } from '@throughline/sharing';
import { SubjectsModule } from '@throughline/subjects';
import { ReadBoardHandler, ReadDeselectionsHandler } from './features/read-board.query';
import { TaskingController } from './features/tasking.controller';
import { TaskingService } from './features/tasking.service';

@Module({
  imports: [CqrsModule, AuthModule, AuditModule, ProjectionsModule, SharingModule, SubjectsModule],
  controllers: [TaskingController],
  providers: [TaskingService, ReadBoardHandler, ReadDeselectionsHandler],
  exports: [TaskingService],
})
export class TaskingModule {}
