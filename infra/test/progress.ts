import { loadavg } from 'node:os';

/**
 * A progress line of a bench or drill: to stderr, so stdout keeps only the result (its last line is
 * the JSON a script reads).
 */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The machine's 1-, 5- and 15-minute load averages, as every reported figure carries them. */
export function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}
