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
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
