import { readFileSync } from 'node:fs';

/**
 * The Dockerfile read as Docker reads it: line continuations joined, comments dropped, one
 * instruction a line, grouped into stages. Enough of the syntax for this repository's file; an
 * instruction form it does not know is kept verbatim for the caller to refuse.
 */
export interface Instruction {
  readonly keyword: string;
  /** Everything after the keyword and its `--flag=value` options. */
  readonly args: string;
  readonly flags: Readonly<Record<string, string>>;
  /** The exec (JSON array) form's words, for CMD, ENTRYPOINT, RUN, HEALTHCHECK ... CMD. */
  readonly exec: readonly string[] | undefined;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

const execForm = (text: string): string[] | undefined => {
  if (!text.startsWith('[')) return undefined;
  const words: unknown = JSON.parse(text);
  if (!Array.isArray(words) || !words.every((word) => typeof word === 'string'))
    throw new Error(`not an exec form: ${text}`);
  return words;
};

function instruction(line: string): Instruction {
  const [keyword = '', ...rest] = line.split(/\s+/);
  let args = rest.join(' ');
  const flags: Record<string, string> = {};
  for (let match = /^--([a-z-]+)=(\S+)\s*/.exec(args); match; match = /^--([a-z-]+)=(\S+)\s*/.exec(args)) {
    flags[match[1]!] = match[2]!;
    args = args.slice(match[0].length);
  }
  const upper = keyword.toUpperCase();
  const command = upper === 'HEALTHCHECK' ? args.replace(/^CMD\s+/, '') : args;
  return { keyword: upper, args, flags, exec: execForm(command) };
}

export function readDockerfile(path: string): Stage[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const parsed = instruction(line);
    if (parsed.keyword === 'FROM') {
      const [image = '', as, name] = parsed.args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      const stage = stages[stages.length - 1];
      if (!stage) throw new Error(`${parsed.keyword} before the first FROM`);
      stage.instructions.push(parsed);
    }
  }
  return stages;
}

/** `ENV a=1 b="two words"`: the variables an ENV instruction sets. */
export function envOf(args: string): Record<string, string> {
  const pairs = [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)];
  if (pairs.length === 0) throw new Error(`ENV form not understood: ${args}`);
  return Object.fromEntries(
    pairs.map(([, name, value]) => [name!, value!.startsWith('"') ? (JSON.parse(value!) as string) : value!]),
  );
}
