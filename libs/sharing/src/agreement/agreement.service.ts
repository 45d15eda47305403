import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { PARTNERSHIP_STREAM } from '@throughline/domain';
import { EventStore, WrongExpectedRevisionError } from '@throughline/event-store';
import { uuidFromName } from '@throughline/ingestion';
import { type Agreement, InvalidAgreementError, parseAgreement } from '../domain/agreement';
import { AGREEMENT_LOADED, type AgreementLoadedData, agreementOf } from './agreement-events';

const DEFAULT_AGREEMENT = join('infra', 'agreements', 'default-iom.yaml');

/** Finds the shipped default agreement from the source tree or the compiled one. */
export function defaultAgreementFile(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, DEFAULT_AGREEMENT);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${DEFAULT_AGREEMENT} not found above ${from}`);
  }
}

/**
 * The partnership's information-sharing agreement, kept as events on the partnership stream so
 * that every decision can name the version it used. The first start loads the shipped default.
 */
@Injectable()
export class AgreementService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AgreementService.name);
  private cached?: { readonly id: string; readonly agreement: Agreement; readonly checkedAt: number };
  /** The check made in the current turn of the event loop, until the turn ends or a load here. */
  private thisTurn?: Promise<Agreement | null>;

  constructor(private readonly events: EventStore) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.current()) return;
    try {
      const file = defaultAgreementFile();
      await this.append(parseAgreement(readFileSync(file, 'utf8')), 'system', 'no_stream', DEFAULT_AGREEMENT);
      this.logger.log(`Loaded the default sharing agreement from ${DEFAULT_AGREEMENT}`);
    } catch (error) {
      // Another process loaded one first: theirs stands.
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }

  /**
   * The agreement in force now. Checked against the log once per turn of the event loop, and the
   * answer shared by every call in that turn: the guard, the role rule and the read of one request
   * ask in the same turn, and pay for one lookup. A load by any process applies from the next turn,
   * one through this service at once. While the log's head has not moved since the last check,
   * nothing can have been loaded, and the check is that one lookup.
   */
  current(): Promise<Agreement | null> {
    if (!this.thisTurn) {
      const check = this.check();
      this.thisTurn = check;
      setImmediate(() => {
        if (this.thisTurn === check) this.thisTurn = undefined;
      });
    }
    return this.thisTurn;
  }

  private async check(): Promise<Agreement | null> {
    const head = await this.events.headPosition();
    if (this.cached?.checkedAt === head) return this.cached.agreement;
    const [latest] = await this.events.readStream(PARTNERSHIP_STREAM, {
      direction: 'backwards',
      maxCount: 1,
    });
    if (!latest) return null;
    const agreement = this.cached?.id === latest.id ? this.cached.agreement : agreementOf(latest)!;
    this.cached = { id: latest.id, agreement, checkedAt: head };
    return agreement;
  }

  /** Parses, checks and appends an agreement; a malformed one throws InvalidAgreementError and changes nothing. */
  async load(text: string, loadedBy: string, file?: string): Promise<{ version: string; position: number }> {
    const agreement = parseAgreement(text);
    const [latest] = await this.events.readStream(PARTNERSHIP_STREAM, {
      direction: 'backwards',
      maxCount: 1,
    });
    if (latest && agreementOf(latest)?.version === agreement.version) {
      throw new InvalidAgreementError([
        {
          line: 1,
          reason: `version ${agreement.version} is already loaded; give the new agreement a new version`,
        },
      ]);
    }
    return this.append(agreement, loadedBy, latest ? latest.revision : 'no_stream', file);
  }

  private async append(
    agreement: Agreement,
    loadedBy: string,
    expected: number | 'no_stream',
    file?: string,
  ): Promise<{ version: string; position: number }> {
    const data: AgreementLoadedData = { agreement, loadedBy, ...(file ? { file } : {}) };
    const id = uuidFromName(`agreement\n${agreement.version}\n${JSON.stringify(agreement)}`);
    const result = await this.events.append(
      PARTNERSHIP_STREAM,
      [{ id, type: AGREEMENT_LOADED, data, metadata: { loadedBy } }],
      expected,
    );
    // Loaded here: a check made earlier in this turn is out of date.
    this.thisTurn = undefined;
    return { version: agreement.version, position: result.events[0]!.position };
  }
}
