import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '@atlas/observability';

// pino stamps its own time; kafkajs's `timestamp` and `logger` would only repeat it.
const SKIPPED = new Set(['message', 'timestamp', 'logger']);

/** Routes kafkajs's own log lines into our pino logger instead of its console format. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const extra = Object.entries(log).filter(([key]) => !SKIPPED.has(key));
      const line = { component: 'kafkajs', namespace, ...Object.fromEntries(extra) };
      const { message } = log;
      if (level === logLevel.ERROR) logger.error(line, message);
      else if (level === logLevel.WARN) logger.warn(line, message);
      else if (level === logLevel.INFO) logger.info(line, message);
      else logger.debug(line, message);
    };
}
