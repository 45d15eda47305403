import { Module } from '@nestjs/common';
import { AuditModule } from '@throughline/audit';
import { AuthModule } from '@throughline/auth';
import { ProjectionsModule } from '@throughline/projections';
import { SharingModule } from '@throughline/sharing';
import { SubjectsModule } from '@throughline/subjects';
import { TaskingController } from './features/tasking.controller';
import { TaskingService } from './features/tasking.service';

@Module({
  imports: [AuthModule, AuditModule, ProjectionsModule, SharingModule, SubjectsModule],
  controllers: [TaskingController],
  providers: [TaskingService],
  exports: [TaskingService],
})
export class TaskingModule {}
