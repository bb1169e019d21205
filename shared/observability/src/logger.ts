import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that may carry secrets. Redaction is a safety net: code should never put a token or a
 * password in a log line in the first place.
 */
const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers.cookie',
  'token',
  'accessToken',
  'password',
  'secret',
  'paymentMethod.token',
  '*.authorization',
  '*.password',
  '*.token',
];

/** The fields every log line about a request or an event carries (contract §3, seed brief "Logging"). */
export interface LogContext {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly eventId?: string;
}

export interface LoggerOptions {
  readonly service: string;
  readonly function: string;
  readonly level?: string;
  /** Tests pass a stream to read the lines back. */
  readonly destination?: DestinationStream;
}

/**
 * One JSON logger per function process: `service` and `function` on every line, ISO timestamps,
 * secrets redacted. Per request or event, take `logger.child({ correlationId, causationId, eventId })`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level ?? process.env['ATLAS_LOG_LEVEL'] ?? 'info',
    base: { service: options.service, function: options.function },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return pino(settings, options.destination ?? bufferedStdout());
}

/** How long a log line may wait in the buffer before it is written anyway. */
const LOG_FLUSH_INTERVAL_MS = 1_000;

/**
 * Standard output, written in blocks of up to 4 KiB instead of one write(2) per line: at the
 * saga's event rates a system call per line is a measurable share of a function's CPU. A line
 * waits at most a second; pino flushes what is left when the process exits, so only a kill -9
 * can lose that last second.
 */
function bufferedStdout(): DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => {
    destination.flush();
  }, LOG_FLUSH_INTERVAL_MS).unref();
  return destination;
}
