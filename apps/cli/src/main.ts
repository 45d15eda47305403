import { CommanderError } from 'commander';
import { buildProgram } from './program';

/**
 * Parse errors (an unknown command, option or choice) are commander's to report; an error a
 * command throws is printed as its message, with a refused agreement's or batch's issues.
 */
buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    console.error(error instanceof Error ? error.message : error);
    const issues = (error as { issues?: unknown }).issues;
    if (Array.isArray(issues))
      for (const issue of issues.slice(0, 20)) console.error(`  ${JSON.stringify(issue)}`);
    process.exit(1);
  });
