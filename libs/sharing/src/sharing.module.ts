import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from '@throughline/audit';
import { AuthModule } from '@throughline/auth';
import { IngestionModule } from '@throughline/ingestion';
import { ProjectionsModule } from '@throughline/projections';
import { AgreementService } from './agreement/agreement.service';
import { PartnershipRules } from './agreement/partnership-rules';
import { BreakGlassRefusals } from './features/break-glass/break-glass-refusals';
import { ClaimBreakGlassHandler } from './features/break-glass/break-glass.command';
import { BreakGlassController } from './features/break-glass/break-glass.controller';
import { ReviewBreakGlassHandler } from './features/break-glass-review/review-break-glass.command';
import { ReviewBreakGlassController } from './features/break-glass-review/review-break-glass.controller';

@Module({
  imports: [CqrsModule, AuthModule, AuditModule, ProjectionsModule, IngestionModule],
  controllers: [BreakGlassController, ReviewBreakGlassController],
  providers: [
    AgreementService,
    PartnershipRules,
    BreakGlassRefusals,
    ClaimBreakGlassHandler,
    ReviewBreakGlassHandler,
  ],
  exports: [AgreementService],
})
export class SharingModule {}
