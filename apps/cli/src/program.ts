import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { HEARTBEAT_MAX_AGE_SECONDS } from '@throughline/platform';

/**
 * The command line, declared with commander: it answers `--help` for every command and
 * `--version`, and refuses an unknown command, option, choice or surplus argument with a message
 * and exit code 1 before anything runs. Each command is one entry of `COMMANDS` (an `audit` action
 * one entry of `AUDIT_COMMANDS`); its action loads its handler only when it runs, so `--help`,
 * `--version` and `health` start no Nest context.
 */
type Define = (parent: Command) => void;

const handlers = () => import('./commands');

const wholeNumber =
  (what: string, min: number) =>
  (value: string): number => {
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(
        `${what} must be a whole number${min > 0 ? ` of at least ${min}` : ''}.`,
      );
    return parsed;
  };

const collect = (value: string, previous: readonly string[]): string[] => [...previous, value];

const out = () => new Option('--out <file>', 'write to FILE instead of standard output');

const COMMANDS: readonly Define[] = [
  (parent) =>
    parent
      .command('serve')
      .description('run the API (what npm start does)')
      .option('--demo', 'load the demo partnership once the API listens')
      .action(async (options: { demo?: boolean }) => {
        const { serve } = await import('../../api/src/main');
        await serve({ demo: options.demo === true });
      }),
  (parent) =>
    parent
      .command('worker')
      .description('run projections (and Kafka ingestion and alerts, when KAFKA_BROKERS is set)')
      .action(async () => {
        const { runWorker } = await import('../../worker/src/main');
        await runWorker();
      }),
  (parent) =>
    parent
      .command('health')
      .description('check the worker on this DATA_DIR: exit 0 when its heartbeat is fresh, 1 when not')
      .addOption(
        new Option('--max-age <seconds>', 'the oldest heartbeat that counts as healthy')
          .argParser(wholeNumber('--max-age', 1))
          .default(HEARTBEAT_MAX_AGE_SECONDS),
      )
      .action(async (options: { maxAge: number }) => (await import('./health')).healthCommand(options)),
  (parent) =>
    parent
      .command('token')
      .description(
        'mint a token (embedded mode) with the signing key the server made under DATA_DIR; the agency and role must be ones the agreement in force names',
      )
      .requiredOption('--agency <agency>', 'the agency the token speaks for')
      .addOption(new Option('--role <role>', "a person's role (default analyst)").conflicts('system'))
      .option('--user <id>', "the person's (or system's) id")
      .option('--system', "an agency system's token, bound to its --source URIs")
      .addOption(
        new Option('--source <uri>', 'a source URI the system publishes as (repeat for more)')
          .argParser(collect)
          .default([], 'none'),
      )
      .addOption(
        new Option('--ttl <seconds>', 'lifetime in seconds (default 8 hours)').argParser(
          wholeNumber('--ttl', Number.MIN_SAFE_INTEGER),
        ),
      )
      .option('--create-key', 'make the signing key under DATA_DIR if there is none (before a first start)')
      .action(async (options: TokenOptions) => (await handlers()).tokenCommand(options)),
  (parent) =>
    parent
      .command('demo')
      .description('load the demo partnership (idempotent), with progress on standard error')
      .addOption(
        new Option('--seed <n>', 'the generator seed').argParser(wholeNumber('--seed', 0)).default(1),
      )
      .action(async (options: { seed: number }) => (await handlers()).demoCommand(options)),
  (parent) =>
    parent
      .command('rebuild')
      .description('rebuild projections from the event log (all of them unless named)')
      .argument('[projection...]', 'projections to rebuild')
      .action(async (names: string[]) => (await handlers()).rebuildCommand(names)),
  (parent) => {
    const agreement = parent.command('agreement').description('the sharing agreement');
    agreement
      .command('load')
      .description('load a sharing agreement (YAML); a malformed one changes nothing')
      .argument('<file>', 'the agreement')
      .option('--by <name>', 'who loads it, for the record', 'cli')
      .action(async (file: string, options: { by: string }) =>
        (await handlers()).agreementLoadCommand(file, options),
      );
  },
  (parent) => {
    const audit = parent.command('audit').description("the audit log: the IG lead's tools");
    for (const define of AUDIT_COMMANDS) define(audit);
  },
  (parent) =>
    parent
      .command('sar')
      .description('subject access export: all held and every disclosure')
      .argument('<subject>', 'SUBJECT_ID or SCHEME:VALUE')
      .addOption(out())
      .option('--by <user>', 'who makes the export, for the record (default $USER)')
      .option('--agency <agency>', "the operator's agency, for the record", 'partnership')
      .action(async (reference: string, options: SarOptions) =>
        (await handlers()).sarCommand(reference, options),
      ),
];

const AUDIT_COMMANDS: readonly Define[] = [
  (audit) =>
    audit
      .command('verify')
      .description("verify the audit log's hash chain and signed checkpoints")
      .action(async () => (await handlers()).auditVerifyCommand()),
  (audit) =>
    audit
      .command('export')
      .description('export the disclosure register')
      .addOption(new Option('--format <format>', 'the file format').choices(['csv', 'json']).default('json'))
      .addOption(out())
      .action(async (options: AuditExportOptions) => (await handlers()).auditExportCommand(options)),
  (audit) =>
    audit
      .command('verify-receipt')
      .description('check a disclosure receipt on its own: no server, no DATA_DIR')
      .argument('<file>', 'the receipt (JSON, as GET /v1/audit/disclosures/{id} gives it)')
      .requiredOption('--public-key <file>', 'the audit public key (PEM) the partnership published')
      .action(async (file: string, options: { publicKey: string }) =>
        (await handlers()).auditVerifyReceiptCommand(file, options),
      ),
  (audit) =>
    audit
      .command('key')
      .description('create an audit signing key at FILE unless one is there; print its public key')
      .argument('<file>', 'where the key is kept, outside DATA_DIR')
      .action(async (file: string) => (await handlers()).auditKeyCommand(file)),
];

export interface TokenOptions {
  readonly agency: string;
  readonly role?: string;
  readonly user?: string;
  readonly system?: boolean;
  readonly source: readonly string[];
  readonly ttl?: number;
  readonly createKey?: boolean;
}

export interface AuditExportOptions {
  readonly format: 'csv' | 'json';
  readonly out?: string;
}

export interface SarOptions {
  readonly out?: string;
  readonly by?: string;
  readonly agency: string;
}

/** The package's version, from the package.json above this file (source or compiled tree). */
export function packageVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}`);
  }
}

/** A fresh program (tests build one each; the launcher parses process.argv with it). */
export function buildProgram(program: Command = new Command()): Command {
  program
    .name('throughline')
    .description('Throughline: the shared record of an Integrated Offender Management partnership')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true);
  for (const define of COMMANDS) define(program);
  // Every command refuses arguments and options it does not declare, and says so.
  for (const command of walk(program)) command.allowExcessArguments(false).allowUnknownOption(false);
  return program;
}

function* walk(command: Command): Generator<Command> {
  yield command;
  for (const sub of command.commands) yield* walk(sub);
}
