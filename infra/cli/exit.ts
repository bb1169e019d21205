/** The exit codes of every `atlas` command (docs/cli.md). */
export const EXIT = {
  /** Done; nothing wrong found. */
  ok: 0,
  /** A check found problems, or the system refused the command (4xx, a rejected replay, …). */
  problems: 1,
  /** The command line is wrong: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** The system did not answer: refused connection, timeout, 502/503/504 from the gateway. */
  unreachable: 3,
  /** Not logged in, the login expired, or the token lacks the permission (401/403). */
  auth: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends the command with its exit code and a message on stderr. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(EXIT.usage, message);
  }
}

/**
 * The exit code of an HTTP answer: 2xx ok; 401/403 not logged in or forbidden; 502/503/504 the
 * system (or the function behind the gateway) unreachable, except a replay the consumer rejected
 * (502 `ATLAS_REPLAY_REJECTED`: the system answered, and refused); any other error refused.
 */
export function exitCodeForStatus(status: number, problemCode?: string): ExitCode {
  if (status < 400) return EXIT.ok;
  if (status === 401 || status === 403) return EXIT.auth;
  if (problemCode === 'ATLAS_REPLAY_REJECTED') return EXIT.problems;
  if (status === 502 || status === 503 || status === 504) return EXIT.unreachable;
  return EXIT.problems;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'CONNECT_TIMEOUT',
]);

/** True when `error` (or its cause) says nothing answered: a network failure, not a refusal. */
export function isUnreachable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The exit code for anything thrown by a command. */
export function exitCodeForError(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (isUnreachable(error)) return EXIT.unreachable;
  return EXIT.problems;
}
