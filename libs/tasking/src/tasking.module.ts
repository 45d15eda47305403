import { Module } from '@nestjs/common';
import { AuditModule } from '@throughline/audit';
import { AuthModule } from '@throughline/auth';
import { ProjectionsModule } from '@throughline/projections';
import { SharingModule } from '@throughline/sharing';
import { TaskingController } from './features/tasking.controller';
import { TaskingService } from './features/tasking.service';

@Module({
  imports: [AuthModule, AuditModule, ProjectionsModule, SharingModule],
  controllers: [TaskingController],
  providers: [TaskingService],
  exports: [TaskingService],
})
export class TaskingModule {}
