import { Module, type OnModuleInit } from '@nestjs/common';
import { AuthModule } from '@throughline/auth';
import { IngestionModule } from '@throughline/ingestion';
import { THROUGHLINE_CONFIG, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner, ProjectionsModule } from '@throughline/projections';
import { openAuditStore } from './audit-store.provider';
import { AuditService } from './audit.service';
import { BreakGlassReviewController } from './features/break-glass-review/break-glass-review.controller';
import { BreakGlassReviewService } from './features/break-glass-review/break-glass-review.service';
import { AuditController, AuditPublicKeyController } from './features/ig/audit.controller';
import { DisclosureRegister } from './features/ig/disclosure-register';
import { IdentityToolsGuard, IgLeadGuard, SubjectAccessGuard } from './features/ig/ig-lead.guard';
import { PossibleDuplicatesController } from './features/possible-duplicates/possible-duplicates.controller';
import { PossibleDuplicatesService } from './features/possible-duplicates/possible-duplicates.service';
import { RefusalRecorder } from './features/refusals/refusal-recorder';
import { SubjectAccessController } from './features/subject-access/subject-access.controller';
import { SubjectAccessService } from './features/subject-access/subject-access.service';
import { SubjectSearchController } from './features/subject-search/subject-search.controller';
import { SubjectSearchService } from './features/subject-search/subject-search.service';
import { breakGlassClaimsProjection } from './projections/break-glass-claims.projection';
import { AuditStore } from './store/audit-store';

@Module({
  imports: [AuthModule, IngestionModule, ProjectionsModule],
  controllers: [
    AuditController,
    AuditPublicKeyController,
    BreakGlassReviewController,
    PossibleDuplicatesController,
    SubjectAccessController,
    SubjectSearchController,
  ],
  providers: [
    {
      provide: AuditStore,
      inject: [THROUGHLINE_CONFIG],
      useFactory: (config: ThroughlineConfig) => openAuditStore(config),
    },
    AuditService,
    DisclosureRegister,
    SubjectAccessService,
    SubjectSearchService,
    BreakGlassReviewService,
    IgLeadGuard,
    SubjectAccessGuard,
    IdentityToolsGuard,
    PossibleDuplicatesService,
    RefusalRecorder,
  ],
  exports: [
    AuditService,
    DisclosureRegister,
    SubjectAccessService,
    SubjectSearchService,
    BreakGlassReviewService,
    RefusalRecorder,
  ],
})
export class AuditModule implements OnModuleInit {
  constructor(private readonly runner: ProjectionRunner) {}

  onModuleInit(): void {
    this.runner.register(breakGlassClaimsProjection);
  }
}
