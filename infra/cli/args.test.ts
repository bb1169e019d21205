import { describe, expect, it } from '@jest/globals';
import { HANDLERS } from './commands.ts';
import {
  COMMANDS,
  commandHelp,
  generalHelp,
  intOption,
  listOption,
  parseCommandLine,
  type Invocation,
} from './args.ts';
import { UsageError } from './exit.ts';

function invocation(argv: string[]): Invocation {
  const parsed = parseCommandLine(argv);
  if (!('command' in parsed)) throw new Error(`expected a command, got help for ${argv.join(' ')}`);
  return parsed;
}

describe('parseCommandLine', () => {
  it('reads a one-word command with its positional and --json anywhere', () => {
    for (const argv of [
      ['trace', 'o-1', '--json'],
      ['--json', 'trace', 'o-1'],
    ]) {
      const parsed = invocation(argv);
      expect(parsed.command.name).toBe('trace');
      expect(parsed.positionals).toEqual(['o-1']);
      expect(parsed.json).toBe(true);
    }
  });

  it('reads a two-word command and its options', () => {
    const parsed = invocation([
      'orders',
      'list',
      '--status',
      'PAID',
      '--customer=c-1',
      '--page',
      '2',
    ]);
    expect(parsed.command.name).toBe('orders list');
    expect(parsed.values).toMatchObject({ status: 'PAID', customer: 'c-1', page: '2' });
    expect(parsed.json).toBe(false);
  });

  it('collects a repeatable option', () => {
    const parsed = invocation(['check', '--order', 'a', '--order', 'b']);
    expect(listOption(parsed.values, 'order')).toEqual(['a', 'b']);
    expect(listOption(invocation(['check']).values, 'order')).toEqual([]);
  });

  it.each([
    [['bogus'], /unknown command bogus/],
    [['orders'], /needs a subcommand: list, show/],
    [['orders', 'delete'], /unknown command atlas orders delete/],
    [['trace'], /needs <orderId>/],
    [['trace', 'a', 'b'], /unexpected argument b/],
    [['trace', 'a', '--bogus'], /--bogus/],
    [['--status', 'x', 'orders', 'list'], /unknown option --status before the command/],
    [['orders', 'list', '--status'], /--status/],
    [['help', 'nothing'], /unknown command nothing/],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });

  it('answers help: asked (exit 0) or because nothing was said (exit 2)', () => {
    expect(parseCommandLine([])).toEqual({ help: true, asked: false });
    expect(parseCommandLine(['--help'])).toEqual({ help: true, asked: true });
    expect(parseCommandLine(['help'])).toEqual({ help: true, asked: true });
    expect(parseCommandLine(['trace', '--help'])).toMatchObject({
      help: true,
      asked: true,
      topic: { name: 'trace' },
    });
    expect(parseCommandLine(['help', 'dlq', 'redrive'])).toMatchObject({
      topic: { name: 'dlq redrive' },
    });
    expect(parseCommandLine(['dlq', '--help'])).toEqual({ help: true, asked: true });
  });

  it('documents every command and its options', () => {
    const general = generalHelp();
    for (const command of COMMANDS) {
      expect(general).toContain(`atlas ${command.name}`);
      const help = commandHelp(command);
      for (const option of Object.keys(command.options ?? {}))
        expect(help).toContain(`--${option}`);
      expect(help).toContain('--json');
    }
    const trace = COMMANDS.find((c) => c.name === 'trace');
    expect(trace && commandHelp(trace)).toMatch(
      /come from the trace\s+backend \(Zipkin, ATLAS_ZIPKIN_URL\)/,
    );
  });
});

describe('intOption', () => {
  it('reads whole numbers within bounds, or the fallback', () => {
    expect(intOption('300', '--older-than')).toBe(300);
    expect(intOption(undefined, '--older-than', { fallback: 300 })).toBe(300);
    expect(intOption('0', '<onHand>', { min: 0 })).toBe(0);
  });

  it.each([['x'], ['-1'], ['1.5'], ['0'], ['101']])('refuses %s', (raw) => {
    expect(() => intOption(raw, '--page-size', { max: 100 })).toThrow(UsageError);
  });
});

describe('the command table', () => {
  it('has a handler for every command it parses (help is answered by the parser itself)', () => {
    for (const command of COMMANDS.filter((spec) => spec.name !== 'help'))
      expect(HANDLERS[command.name]).toBeDefined();
  });
});
