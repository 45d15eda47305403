/** Minimal `--flag value` / `--switch` parsing: the CLI has few commands and no need for more. */
export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], switches: ReadonlySet<string>): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    let value = inline;
    if (value === undefined) {
      if (switches.has(name)) value = 'true';
      else {
        value = argv[i + 1];
        if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
        i++;
      }
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positional, flags };
}

export const flag = (args: ParsedArgs, name: string): string | undefined => args.flags.get(name)?.at(-1);
