import { parseArgs } from 'node:util';
import { UsageError } from './exit.ts';

/** One option of a command, as `node:util` parseArgs takes it, with its help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly value?: string;
  readonly description: string;
}

export interface CommandSpec {
  /** The words that name it: `trace`, `orders list`, … */
  readonly name: string;
  readonly summary: string;
  readonly positionals?: readonly string[];
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** Extra lines for `atlas <command> --help`. */
  readonly notes?: readonly string[];
}

/** Options every command takes (they may also come before the command). */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', description: 'print one JSON document on stdout instead of tables' },
  'no-color': { type: 'boolean', description: 'no ANSI colour (also NO_COLOR, or not a TTY)' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

const PAGE: OptionSpec = { type: 'string', value: 'N', description: 'page, 1-based (default 1)' };
const PAGE_SIZE: OptionSpec = {
  type: 'string',
  value: 'N',
  description: 'items per page, 1-100 (default 20)',
};
const KEY: OptionSpec = {
  type: 'string',
  value: 'KEY',
  description:
    'Idempotency-Key to send (default: a fresh one; resend a printed key to retry safely)',
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'login',
    summary: 'get a token from Keycloak and cache it for the other commands',
    options: {
      user: { type: 'string', value: 'NAME', description: 'user to log in as (default ops)' },
      password: {
        type: 'string',
        value: 'SECRET',
        description:
          'password (default: ATLAS_PASSWORD, else the demo password on a local Keycloak, else a prompt)',
      },
    },
  },
  { name: 'logout', summary: 'forget the cached token' },
  {
    name: 'orders list',
    summary: 'list orders, newest first',
    options: {
      status: { type: 'string', value: 'S', description: 'only this status (PENDING, …)' },
      customer: { type: 'string', value: 'C', description: 'only this customer id' },
      page: PAGE,
      'page-size': PAGE_SIZE,
    },
  },
  { name: 'orders show', summary: 'one order with its lines', positionals: ['orderId'] },
  {
    name: 'trace',
    summary: "an order's causal timeline: status, events, what it waits on, dead letters, gaps",
    positionals: ['orderId'],
    notes: [
      "traceId and each event's deliveries (consumer, outcome, attempts, latency) come from the trace",
      'backend (Zipkin, ATLAS_ZIPKIN_URL); without it traceId is null and deliveries hold only the',
      'dead letters that name the event.',
      'Gaps: an event whose causationId names no event of the timeline and no request, and more',
      'than 30 s between consecutive events.',
    ],
  },
  {
    name: 'stuck',
    summary: 'orders unsettled for a while, with the step they wait on and their dead letters',
    options: {
      'older-than': {
        type: 'string',
        value: 'SECONDS',
        description: 'unsettled at least this long since their last step (default 300)',
      },
      'include-waiting': {
        type: 'boolean',
        description: 'also backorders and pending approvals (waits the contract allows)',
      },
      page: PAGE,
      'page-size': PAGE_SIZE,
    },
  },
  {
    name: 'dlq list',
    summary: 'dead letters, newest failure first',
    options: {
      consumer: { type: 'string', value: 'X', description: "only this consumer's dead letters" },
      page: PAGE,
      'page-size': PAGE_SIZE,
    },
  },
  {
    name: 'dlq replay',
    summary: 'deliver one dead letter to its consumer again',
    positionals: ['id'],
    options: { 'idempotency-key': KEY },
  },
  {
    name: 'dlq redrive',
    summary: 'deliver every selected dead letter again, oldest failure first',
    options: {
      consumer: { type: 'string', value: 'X', description: 'the consumer (required)' },
      'event-type': { type: 'string', value: 'T', description: 'only this event type' },
      from: { type: 'string', value: 'ISO', description: 'failed at or after this time' },
      to: { type: 'string', value: 'ISO', description: 'failed before this time' },
      'dry-run': { type: 'boolean', description: 'deliver nothing; show what would be delivered' },
      'idempotency-key': KEY,
    },
    notes: [
      'Calls again while the answer is truncated (1000 per call), each call with a fresh key.',
      'Exit 1 when a consumer rejected a delivery or a dead letter is not replayable.',
    ],
  },
  {
    name: 'lag',
    summary: "each consumer group's lag, summed over its partitions (the local KafkaSource)",
    notes: [
      'Reads http://127.0.0.1:8099/lag; ATLAS_DELIVERY_PORT moves the port. No login needed.',
    ],
  },
  {
    name: 'check',
    summary: 'run the invariant checker of contract §4 over the five databases',
    options: {
      watch: { type: 'boolean', description: 'check again every --interval seconds until Ctrl-C' },
      interval: { type: 'string', value: 'SECONDS', description: 'with --watch (default 10)' },
      order: {
        type: 'string',
        multiple: true,
        value: 'ID',
        description: 'only these orders and what they touch (repeatable); default every order',
      },
      settle: {
        type: 'string',
        value: 'SECONDS',
        description:
          'wait at most this long for the system to be quiet first (default 5; 0: no wait)',
      },
    },
    notes: [
      'Connects to PostgreSQL directly (ATLAS_POSTGRES_URL); no login needed. Exit 1 on any violation.',
      'With --watch --json, one JSON document per line per round.',
    ],
  },
  {
    name: 'stock show',
    summary: 'one inventory item',
    positionals: ['sku'],
  },
  {
    name: 'stock set',
    summary: 'set the stock on hand of an item (creates it)',
    positionals: ['sku', 'onHand'],
    options: {
      name: { type: 'string', value: 'NAME', description: "the item's name" },
      'idempotency-key': KEY,
    },
  },
  {
    name: 'stock receive',
    summary: 'receive stock (fills backorders)',
    positionals: ['sku', 'quantity'],
    options: { 'idempotency-key': KEY },
  },
  {
    name: 'approvals list',
    summary: "approvals, oldest request first (the approvers' queue)",
    options: {
      status: {
        type: 'string',
        value: 'S',
        description: 'PENDING, GRANTED or REJECTED (default all)',
      },
      page: PAGE,
      'page-size': PAGE_SIZE,
    },
  },
  {
    name: 'approvals approve',
    summary: 'grant an approval',
    positionals: ['approvalId'],
    options: {
      comment: { type: 'string', value: 'TEXT', description: 'a comment' },
      'idempotency-key': KEY,
    },
  },
  {
    name: 'approvals reject',
    summary: 'reject an approval (the order is refunded and cancelled)',
    positionals: ['approvalId'],
    options: {
      reason: { type: 'string', value: 'TEXT', description: 'why (required)' },
      'idempotency-key': KEY,
    },
  },
  { name: 'help', summary: 'this help, or a command’s', positionals: ['command?'] },
];

export type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

export interface Invocation {
  readonly command: CommandSpec;
  readonly positionals: readonly string[];
  readonly values: Values;
  readonly json: boolean;
  readonly noColor: boolean;
  readonly help: boolean;
}

/** What to do when no command runs: the general help (exit 0 when asked for, 2 otherwise). */
export interface HelpRequest {
  readonly help: true;
  readonly topic?: CommandSpec;
  readonly asked: boolean;
}

const GROUPS = new Set(
  COMMANDS.filter((spec) => spec.name.includes(' ')).map((spec) => spec.name.split(' ')[0]),
);

export function findCommand(words: readonly string[]): CommandSpec | undefined {
  return COMMANDS.find((spec) => spec.name === words.join(' '));
}

function optionName(token: string): string {
  return token.replace(/^--?/, '').split('=')[0] ?? '';
}

/**
 * Reads the command line: global flags, then the command (one or two words), then its
 * positionals and options in any order. Anything unknown or missing is a UsageError (exit 2).
 */
export function parseCommandLine(argv: readonly string[]): Invocation | HelpRequest {
  const leading: string[] = [];
  let index = 0;
  for (; index < argv.length; index += 1) {
    const token = argv[index] ?? '';
    if (!token.startsWith('-')) break;
    const name = token.startsWith('--') ? optionName(token) : token === '-h' ? 'help' : '';
    if (!(name in GLOBAL_OPTIONS))
      throw new UsageError(`unknown option ${token} before the command (see atlas --help)`);
    leading.push(token);
  }
  const first = argv[index];
  const asked = leading.some((token) => token === '-h' || token === '--help');
  if (first === undefined) return { help: true, asked };

  let words = [first];
  if (GROUPS.has(first)) {
    const second = argv[index + 1];
    if (second === undefined || second.startsWith('-')) {
      if (second === '--help' || second === '-h' || asked) return { help: true, asked: true };
      const subcommands = COMMANDS.filter((spec) => spec.name.startsWith(`${first} `))
        .map((spec) => spec.name.split(' ')[1])
        .join(', ');
      throw new UsageError(`atlas ${first} needs a subcommand: ${subcommands}`);
    }
    words = [first, second];
  }
  const command = findCommand(words);
  if (!command) {
    const what = GROUPS.has(first) ? `atlas ${words.join(' ')}` : first;
    throw new UsageError(`unknown command ${what} (see atlas --help)`);
  }

  let parsed;
  try {
    parsed = parseArgs({
      args: [...leading, ...argv.slice(index + words.length)],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message.split('\n')[0]} (see atlas ${command.name} --help)`,
    );
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const help = values['help'] === true || asked;
  const wanted = command.positionals ?? [];
  const required = wanted.filter((name) => !name.endsWith('?')).length;
  if (!help && command.name === 'help') {
    const topic = parsed.positionals.length > 0 ? findCommand(parsed.positionals) : undefined;
    if (parsed.positionals.length > 0 && !topic)
      throw new UsageError(`unknown command ${parsed.positionals.join(' ')} (see atlas --help)`);
    return topic ? { help: true, topic, asked: true } : { help: true, asked: true };
  }
  if (help) return { help: true, topic: command, asked: true };
  if (parsed.positionals.length < required)
    throw new UsageError(
      `atlas ${command.name} needs ${wanted
        .slice(parsed.positionals.length, required)
        .map((name) => `<${name}>`)
        .join(' ')}`,
    );
  if (parsed.positionals.length > wanted.length)
    throw new UsageError(
      `atlas ${command.name}: unexpected argument ${parsed.positionals[wanted.length] ?? ''}`,
    );
  return {
    command,
    positionals: parsed.positionals,
    values,
    json: values['json'] === true,
    noColor: values['no-color'] === true,
    help: false,
  };
}

/** A whole number within bounds, or a UsageError naming the option. */
export function intOption(
  raw: string | boolean | string[] | undefined,
  what: string,
  {
    min = 1,
    max = Number.MAX_SAFE_INTEGER,
    fallback,
  }: { min?: number; max?: number; fallback?: number } = {},
): number | undefined {
  if (raw === undefined || raw === false) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim()))
    throw new UsageError(`${what} must be a whole number, got ${String(raw)}`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new UsageError(`${what} must be between ${min} and ${max}, got ${raw}`);
  return value;
}

export function stringOption(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(values: Values, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

function optionLine(name: string, spec: OptionSpec): [string, string] {
  const short = spec.short ? `-${spec.short}, ` : '';
  const value =
    spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}${spec.multiple ? ' …' : ''}` : '';
  return [`  ${short}--${name}${value}`, spec.description];
}

function columns(lines: readonly [string, string][]): string[] {
  const width = Math.max(...lines.map(([left]) => left.length));
  return lines.map(([left, right]) => `${left.padEnd(width)}  ${right}`);
}

export function usageOf(command: CommandSpec): string {
  const positionals = (command.positionals ?? [])
    .map((name) => (name.endsWith('?') ? `[${name.slice(0, -1)}]` : `<${name}>`))
    .join(' ');
  const hasOptions = Object.keys(command.options ?? {}).length > 0;
  return `atlas ${command.name}${positionals ? ` ${positionals}` : ''}${hasOptions ? ' [options]' : ''}`;
}

export function commandHelp(command: CommandSpec): string {
  const options = Object.entries({ ...command.options, ...GLOBAL_OPTIONS });
  return [
    `usage: ${usageOf(command)}`,
    '',
    command.summary,
    ...(command.notes ? ['', ...command.notes] : []),
    '',
    'options:',
    ...columns(options.map(([name, spec]) => optionLine(name, spec))),
    '',
  ].join('\n');
}

export function generalHelp(): string {
  return [
    'usage: atlas <command> [arguments] [options]',
    '',
    'The Atlas ERP operator CLI. It talks to the gateway (http://127.0.0.1:8080, ATLAS_GATEWAY_PORT)',
    'with the token `atlas login` caches. Every command takes --json (one JSON document on stdout).',
    '',
    'commands:',
    ...columns(COMMANDS.map((spec) => [`  ${usageOf(spec)}`, spec.summary])),
    '',
    'exit codes: 0 ok, 1 problems found or command refused, 2 usage error, 3 system unreachable,',
    '            4 not logged in / login expired / forbidden',
    '',
    'More: docs/cli.md, or atlas <command> --help.',
    '',
  ].join('\n');
}
