import { Module, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from '@throughline/audit';
import { AuthModule } from '@throughline/auth';
import { IngestionModule } from '@throughline/ingestion';
import { ProjectionRunner, ProjectionsModule } from '@throughline/projections';
import { AgreementService } from './agreement/agreement.service';
import { PartnershipRules } from './agreement/partnership-rules';
import { BreakGlassRefusals } from './features/break-glass/break-glass-refusals';
import { ClaimBreakGlassHandler } from './features/break-glass/break-glass.command';
import { BreakGlassController } from './features/break-glass/break-glass.controller';
import { ReviewBreakGlassHandler } from './features/break-glass-review/review-break-glass.command';
import { ReviewBreakGlassController } from './features/break-glass-review/review-break-glass.controller';
import { RecordsController } from './features/records/records.controller';
import { RecordsService } from './features/records/records.service';
import { retentionFactsProjection } from './projections/retention-facts.projection';

@Module({
  imports: [CqrsModule, AuthModule, AuditModule, ProjectionsModule, IngestionModule],
  controllers: [BreakGlassController, ReviewBreakGlassController, RecordsController],
  providers: [
    AgreementService,
    PartnershipRules,
    BreakGlassRefusals,
    ClaimBreakGlassHandler,
    ReviewBreakGlassHandler,
    RecordsService,
  ],
  exports: [AgreementService, RecordsService],
})
export class SharingModule implements OnModuleInit {
  constructor(private readonly runner: ProjectionRunner) {}

  onModuleInit(): void {
    this.runner.register(retentionFactsProjection);
  }
}
