/** Rendering for people (aligned tables, optional colour) and for scripts (one JSON document). */

export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Colour only for a person: stdout is a terminal, `NO_COLOR` is not set (any non-empty value
 * turns it off, https://no-color.org) and `--no-color` was not given.
 */
export function colourWanted(isTty: boolean | undefined, env: Env, noColour = false): boolean {
  const noColor = env['NO_COLOR'];
  return isTty === true && !noColour && (noColor === undefined || noColor === '');
}

export interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
}

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

export function style(colour: boolean): Style {
  if (!colour) {
    const same = (text: string): string => text;
    return { bold: same, dim: same, red: same, green: same, yellow: same };
  }
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Printed width: ANSI colour codes take none, and a character outside the BMP counts once. */
export function visibleWidth(text: string): number {
  return Array.from(text.replace(ANSI, '')).length;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'right' ? `${fill}${text}` : `${text}${fill}`;
}

/**
 * An aligned table: a header row, then one line per row, columns two spaces apart, no trailing
 * spaces. Cells may carry colour; `null`/`undefined` cells print as `-`.
 */
export function renderTable(
  columns: readonly (Column | string)[],
  rows: readonly (readonly (string | number | null | undefined)[])[],
  { header = (text: string) => text }: { header?: (text: string) => string } = {},
): string {
  const specs = columns.map((column) =>
    typeof column === 'string' ? { header: column, align: 'left' as const } : column,
  );
  const cells = rows.map((row) =>
    specs.map((_, index) => {
      const value = row[index];
      return value === null || value === undefined || value === '' ? '-' : String(value);
    }),
  );
  const widths = specs.map((spec, index) =>
    Math.max(visibleWidth(spec.header), ...cells.map((row) => visibleWidth(row[index] ?? ''))),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((value, index) => pad(value, widths[index] ?? 0, specs[index]?.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(specs.map((spec) => header(spec.header))), ...cells.map((row) => line(row))].join(
    '\n',
  );
}

/** `key  value` lines, keys aligned. */
export function renderFields(
  fields: readonly (readonly [string, string | number | null | undefined])[],
): string {
  const shown = fields.filter(([, value]) => value !== undefined);
  const width = Math.max(0, ...shown.map(([key]) => visibleWidth(key)));
  return shown
    .map(([key, value]) => `${pad(key, width, 'left')}  ${value === null ? '-' : String(value)}`)
    .join('\n');
}

/** An RFC 7807 problem body, as far as the CLI reads it. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly code?: string;
  readonly errors?: readonly { readonly path?: string; readonly message?: string }[];
}

export function asProblem(body: unknown): Problem | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { title, detail } = body as Problem;
  return typeof title === 'string' || typeof detail === 'string' ? body : undefined;
}

/**
 * A problem as one line `title: detail` (then one indented line per validation error); a body
 * that is no problem as `HTTP <status>: <first 200 characters>`.
 */
export function formatProblem(status: number, body: unknown, text = ''): string {
  const problem = asProblem(body);
  if (!problem) {
    const snippet = text.trim().slice(0, 200);
    return `HTTP ${status}${snippet === '' ? '' : `: ${snippet}`}`;
  }
  const title = problem.title ?? `HTTP ${status}`;
  const head = problem.detail ? `${title}: ${problem.detail}` : title;
  const details = (problem.errors ?? []).map(
    (error) => `  ${error.path ?? '(request)'}: ${error.message ?? 'invalid'}`,
  );
  return [head, ...details].join('\n');
}

/** "3 s", "4 min 05 s", "2 h 10 min", "3 d 4 h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** `+1.234s` after the first event. */
export function formatOffset(ms: number): string {
  return `+${(ms / 1000).toFixed(3)}s`;
}

export interface Writable {
  readonly isTTY?: boolean;
  write(chunk: string): boolean;
}

/**
 * A one-line spinner with a message on stderr, only when stderr is a terminal (never in logs or
 * pipes); `stop` clears the line.
 */
export class Progress {
  readonly #stream: Writable;
  readonly #enabled: boolean;
  #frame = 0;
  #shown = false;

  constructor(stream: Writable, enabled = stream.isTTY === true) {
    this.#stream = stream;
    this.#enabled = enabled;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  update(message: string): void {
    if (!this.#enabled) return;
    const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
    const frame = frames[this.#frame % frames.length] ?? '-';
    this.#frame += 1;
    this.#stream.write(`\r\u001b[2K${frame} ${message}`);
    this.#shown = true;
  }

  stop(): void {
    if (this.#enabled && this.#shown) this.#stream.write('\r\u001b[2K');
    this.#shown = false;
  }
}
