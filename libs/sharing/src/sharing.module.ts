import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from '@throughline/audit';
import { AuthModule } from '@throughline/auth';
import { AgreementService } from './agreement/agreement.service';
import { BreakGlassRefusals } from './features/break-glass/break-glass-refusals';
import { ClaimBreakGlassHandler } from './features/break-glass/break-glass.command';
import { BreakGlassController } from './features/break-glass/break-glass.controller';

@Module({
  imports: [CqrsModule, AuthModule, AuditModule],
  controllers: [BreakGlassController],
  providers: [AgreementService, BreakGlassRefusals, ClaimBreakGlassHandler],
  exports: [AgreementService],
})
export class SharingModule {}
