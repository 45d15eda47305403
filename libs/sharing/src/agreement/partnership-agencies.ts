import { Injectable, type OnModuleInit } from '@nestjs/common';
import { KnownAgencies } from '@throughline/auth';
import { isPartnershipAgency } from '../domain/agreement';
import { AgreementService } from './agreement.service';

/** Tells authentication which agencies belong to the partnership: the agreement in force decides. */
@Injectable()
export class PartnershipAgencies implements OnModuleInit {
  constructor(
    private readonly known: KnownAgencies,
    private readonly agreements: AgreementService,
  ) {}

  onModuleInit(): void {
    this.known.use(async (agency) => isPartnershipAgency(await this.agreements.current(), agency));
  }
}
