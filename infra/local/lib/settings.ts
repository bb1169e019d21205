/** Environment variables as the local processes read them. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * An integer setting from `env`: `fallback` when unset or blank, else a whole number in
 * [min, max]; anything else fails at start, with the variable's name, through `invalid`.
 */
export function integerSetting(
  env: Env,
  name: string,
  range: { readonly fallback: number; readonly min: number; readonly max: number },
  invalid: (message: string) => Error = (message) => new Error(message),
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return range.fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max)
    throw invalid(`${name}: expected an integer ${range.min}-${range.max}, got "${raw}"`);
  return value;
}
