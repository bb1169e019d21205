import { CatalogError } from './catalog.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** `inventory-reservations` → `ATLAS_FUNCTION_URL_INVENTORY_RESERVATIONS`. */
export function functionUrlVariable(qualifiedName: string): string {
  return `ATLAS_FUNCTION_URL_${qualifiedName.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * Where a function listens: its catalog port on loopback, unless `ATLAS_FUNCTION_URL_<NAME>`
 * points elsewhere (a cluster Service, or a function started by hand under a debugger). The
 * gateway routes to it and the local KafkaSource delivers to it.
 */
export function functionUrl(qualifiedName: string, port: number, env: Env = process.env): string {
  const variable = functionUrlVariable(qualifiedName);
  const override = env[variable]?.trim();
  if (override === undefined || override === '') return `http://127.0.0.1:${port}/`;
  try {
    return new URL(override).toString();
  } catch {
    throw new CatalogError(`${variable}: expected a URL, got "${override}"`);
  }
}
