import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthModule } from '@throughline/auth';
import { AgreementService } from './agreement/agreement.service';
import { ClaimBreakGlassHandler } from './features/break-glass/break-glass.command';
import { BreakGlassController } from './features/break-glass/break-glass.controller';

@Module({
  imports: [CqrsModule, AuthModule],
  controllers: [BreakGlassController],
  providers: [AgreementService, ClaimBreakGlassHandler],
  exports: [AgreementService],
})
export class SharingModule {}
