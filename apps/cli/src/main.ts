import { parseArgs } from './args';
import {
  agreementCommand,
  auditCommand,
  demoCommand,
  rebuildCommand,
  sarCommand,
  tokenCommand,
} from './commands';

const USAGE = `throughline <command>

  serve [--demo]                         run the API (what npm start does)
  worker                                 run projections (and Kafka, when KAFKA_BROKERS is set)
  token --agency A [--role R] [--user U] mint a token for a person (embedded mode)
  token --agency A --system --source URI mint a token for an agency system (repeat --source)
  demo [--seed N]                        load the demo partnership (idempotent)
  rebuild [projection...]                rebuild projections from the event log
  agreement load FILE                    load a sharing agreement (YAML); malformed ones change nothing
  audit verify                           verify the audit log's hash chain and signed checkpoints
  audit export [--format csv|json] [--out FILE]   export the disclosure register
  audit verify-receipt FILE --public-key FILE     check a disclosure receipt on its own (no server)
  audit key FILE                         create an audit signing key at FILE unless one is there; print its public key
  sar SUBJECT_ID|SCHEME:VALUE [--out FILE]  subject access export: all held and every disclosure
`;

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  const args = parseArgs(rest, new Set(['system', 'demo']));
  switch (command) {
    case 'serve': {
      const { serve } = await import('../../api/src/main');
      return serve(rest);
    }
    case 'worker': {
      const { runWorker } = await import('../../worker/src/main');
      return runWorker();
    }
    case 'token':
      return tokenCommand(args);
    case 'demo':
      return demoCommand(args);
    case 'rebuild':
      return rebuildCommand(args);
    case 'agreement':
      return agreementCommand(args);
    case 'audit':
      return auditCommand(args);
    case 'sar':
      return sarCommand(args);
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return;
    default:
      throw new Error(`Unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  const issues = (error as { issues?: unknown }).issues;
  if (Array.isArray(issues))
    for (const issue of issues.slice(0, 20)) console.error(`  ${JSON.stringify(issue)}`);
  process.exit(1);
});
