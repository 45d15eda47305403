import { type Command, CommanderError } from 'commander';
import { buildProgram } from './program';

/** Parses as the launcher does, without exiting: what it would print, and how it would end. */
async function parse(args: readonly string[]): Promise<{ out: string; err: string; code: number | 'ran' }> {
  let out = '';
  let err = '';
  const program = buildProgram();
  const quiet = (command: Command) => {
    command.exitOverride().configureOutput({
      writeOut: (text) => (out += text),
      writeErr: (text) => (err += text),
    });
    // Stop at the action: the parse is what is under test, not the command.
    if (command.commands.length === 0) command.action(() => undefined);
    command.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out, err, code: 'ran' };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { out, err, code: error.exitCode };
  }
}

describe('the command line parser', () => {
  it.each([[['token']], [['demo']], [['audit', 'export']], [['sar']], [['health']], [['serve']]])(
    'answers %j --help with its usage and exit 0',
    async (path: string[]) => {
      const { out, code } = await parse([...path, '--help']);
      expect(code).toBe(0);
      expect(out).toContain(`Usage: throughline ${path.join(' ')}`);
    },
  );

  it('takes a value where an option needs one, and switches where it does not', async () => {
    expect(await parse(['token', '--agency', 'police', '--system', '--source', 'urn:a:b'])).toMatchObject({
      code: 'ran',
      err: '',
    });
    expect(await parse(['demo', '--seed', '7'])).toMatchObject({ code: 'ran' });
    expect(await parse(['serve', '--demo'])).toMatchObject({ code: 'ran' });
  });

  it.each([
    [['token', '--agency', 'police', '--nope'], "unknown option '--nope'"],
    [['token', '--agency'], "option '--agency <agency>' argument missing"],
    [['audit', 'export', '--format', 'pdf'], 'Allowed choices are csv, json'],
    [['health', '--max-age', '0'], '--max-age must be a whole number of at least 1'],
    [['rebuild', '--all'], "unknown option '--all'"],
    [['agreement', 'load'], "missing required argument 'file'"],
    [['worker', 'extra'], "too many arguments for 'worker'"],
    [['tokne'], '(Did you mean token?)'],
  ])('refuses %j with status 1', async (args, message) => {
    const { err, code } = await parse(args);
    expect(code).toBe(1);
    expect(err).toContain(message);
  });
});
