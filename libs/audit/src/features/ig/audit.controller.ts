import { Readable } from 'node:stream';
import { isDateOrInstant, utcInstant } from '@throughline/domain';
import {
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import { type HttpRequest, type HttpResponse, ProblemException } from '@throughline/platform';
import { AuditService, type DisclosureReceipt } from '../../audit.service';
import type { VerifyResult } from '../../domain/chain';
import type { AuditRecord } from '../../domain/disclosure';
import type { AuditQuery } from '../../store/audit-store';
import { CSV_HEADER, toCsvLine } from './audit-export';
import { DisclosureRegister } from './disclosure-register';
import { IgLeadGuard } from './ig-lead.guard';
import { findUnusualAccess, type UnusualAccess } from './unusual-access';

const isoOrUndefined = (raw: string | undefined, name: string): string | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (!isDateOrInstant(raw))
    throw new ProblemException(
      400,
      'invalid-query',
      'Invalid query parameter',
      `${name} must be a date (YYYY-MM-DD) or an instant (RFC 3339, e.g. 2025-03-01T09:30:00Z)`,
    );
  return utcInstant(raw);
};

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
@UseGuards(AuthGuard, IgLeadGuard)
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly disclosures: DisclosureRegister,
  ) {}

  @Get('disclosures')
  @ApiOperation({ summary: 'The disclosure register, newest first' })
  @ApiQuery({ name: 'subjectId', required: false })
  @ApiQuery({ name: 'agency', required: false })
  @ApiQuery({ name: 'user', required: false })
  @ApiQuery({ name: 'purpose', required: false })
  @ApiQuery({ name: 'outcome', required: false, enum: ['disclosed', 'refused'] })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'before', required: false, description: 'nextBefore of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 100' })
  async register(
    @Query() raw: Record<string, string | undefined>,
  ): Promise<{ disclosures: AuditRecord[]; nextBefore: number | null }> {
    const query = this.parseQuery(raw);
    const disclosures = await this.disclosures.query(query);
    const last = disclosures[disclosures.length - 1];
    return { disclosures, nextBefore: disclosures.length === query.limit && last ? last.seq : null };
  }

  @Get('refusals')
  @ApiOperation({ summary: 'Refused attempts, newest first (the register filtered to outcome=refused)' })
  async refusals(
    @Query() raw: Record<string, string | undefined>,
  ): Promise<{ disclosures: AuditRecord[]; nextBefore: number | null }> {
    return this.register({ ...raw, outcome: 'refused' });
  }

  @Get('disclosures/:id')
  @ApiOperation({ summary: 'One receipt with its proof up to a signed checkpoint' })
  async receipt(@Param('id') id: string): Promise<DisclosureReceipt> {
    const receipt = await this.audit.receipt(id);
    if (!receipt) throw new NotFoundException(`No disclosure ${id}`);
    return receipt;
  }

  @Get('verify')
  @ApiOperation({ summary: 'Verifies the whole audit log; names the first bad entry if any' })
  verify(): Promise<VerifyResult> {
    return this.audit.verify();
  }

  @Get('unusual')
  @ApiOperation({ summary: 'Unusual access: many subjects in a day, reads out of hours, repeated refusals' })
  async unusual(
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<{ findings: UnusualAccess[] }> {
    const since = isoOrUndefined(from, 'from') ?? new Date(Date.now() - 7 * 86_400_000).toISOString();
    const records = await this.audit.store.query({
      from: since,
      to: isoOrUndefined(to, 'to'),
      limit: 100_000,
    });
    return { findings: findUnusualAccess(records) };
  }

  @Get('export')
  @ApiOperation({ summary: 'The register as CSV or JSON (?format=csv|json), oldest first' })
  @Header('Cache-Control', 'no-store')
  async export(
    @CurrentPrincipal() principal: Principal,
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
    @Query('format') format = 'json',
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<void> {
    if (format !== 'csv' && format !== 'json')
      throw new ProblemException(
        400,
        'invalid-query',
        'Invalid query parameter',
        'format must be csv or json',
      );
    const fromIso = isoOrUndefined(from, 'from');
    const toIso = isoOrUndefined(to, 'to');
    // The export is itself recorded (it names people and subjects), before any of it is sent.
    const record = await this.audit.record({
      requestId: typeof request.id === 'string' ? request.id : null,
      principal: { kind: principal.kind, user: principal.id, agency: principal.agency, role: principal.role },
      action: 'audit.export',
      outcome: 'disclosed',
      purpose: 'audit',
      agreementVersion: null,
      subjects: [],
      refusal: null,
    });
    response.header('X-Disclosure-Id', record.content.id);
    response.status(200).type(`${format === 'csv' ? 'text/csv' : 'application/json'}; charset=utf-8`);
    response.header('Content-Disposition', `attachment; filename="disclosures.${format}"`);
    // A stream, so a large register goes out as it is read, at the pace the client takes it.
    response.send(Readable.from(this.exported(format, fromIso, toIso)));
  }

  private async *exported(format: 'csv' | 'json', fromIso?: string, toIso?: string): AsyncGenerator<string> {
    yield format === 'csv'
      ? CSV_HEADER
      : `{"publicKey":${JSON.stringify(this.audit.currentKey?.publicKeyPem ?? null)},"publicKeys":${JSON.stringify(publicKeysOf(this.audit))},"records":[`;
    let first = true;
    for await (const page of this.audit.store.scan()) {
      for (const record of page) {
        if ((fromIso && record.content.at < fromIso) || (toIso && record.content.at > toIso)) continue;
        yield format === 'csv' ? toCsvLine(record) : `${first ? '' : ','}${JSON.stringify(record)}`;
        first = false;
      }
    }
    if (format === 'json') yield `],"checkpoints":${JSON.stringify(await this.audit.store.checkpoints())}}`;
  }

  private parseQuery(raw: Record<string, string | undefined>): AuditQuery {
    const limit = raw.limit === undefined ? 100 : Number(raw.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new ProblemException(400, 'invalid-query', 'Invalid query parameter', 'limit must be 1-500');
    const before = raw.before === undefined ? undefined : Number(raw.before);
    if (before !== undefined && (!Number.isInteger(before) || before < 1))
      throw new ProblemException(
        400,
        'invalid-query',
        'Invalid query parameter',
        'before must be a positive integer',
      );
    if (raw.outcome !== undefined && raw.outcome !== 'disclosed' && raw.outcome !== 'refused') {
      throw new ProblemException(
        400,
        'invalid-query',
        'Invalid query parameter',
        'outcome must be disclosed or refused',
      );
    }
    return {
      limit,
      ...(before ? { beforeSeq: before } : {}),
      ...(raw.subjectId ? { subjectId: raw.subjectId } : {}),
      ...(raw.agency ? { agency: raw.agency } : {}),
      ...(raw.user ? { user: raw.user } : {}),
      ...(raw.purpose ? { purpose: raw.purpose } : {}),
      ...(raw.outcome ? { outcome: raw.outcome } : {}),
      ...(isoOrUndefined(raw.from, 'from') ? { from: isoOrUndefined(raw.from, 'from') } : {}),
      ...(isoOrUndefined(raw.to, 'to') ? { to: isoOrUndefined(raw.to, 'to') } : {}),
    };
  }
}

/** The checkpoint key is published: anyone holding a receipt can check it without an account. */
@ApiTags('audit')
@Controller('v1/audit/public-key')
export class AuditPublicKeyController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary:
      'The Ed25519 key that signs audit checkpoints, and the earlier keys older checkpoints are signed by',
  })
  publicKey(): { keyId: string; publicKey: string; keys: { keyId: string; publicKey: string }[] } {
    const current = this.audit.currentKey;
    if (!current)
      throw new ProblemException(
        503,
        'audit-key-unavailable',
        'No audit signing key',
        'This process holds no audit signing key (AUDIT_SIGNING_KEY_FILE)',
      );
    return { keyId: current.keyId, publicKey: current.publicKeyPem, keys: publicKeysOf(this.audit) };
  }
}

/** Every key the log's checkpoints may be signed by, the current one first. */
export const publicKeysOf = (audit: AuditService): { keyId: string; publicKey: string }[] =>
  audit.publicKeys.map((key) => ({ keyId: key.keyId, publicKey: key.publicKeyPem }));
