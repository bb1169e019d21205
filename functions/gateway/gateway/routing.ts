import { functionUrl, type CatalogEntry } from '@atlas/catalog';
import type { HttpMethod } from '@atlas/http';

/** Routes that carry no bearer token: the gateway lets them through for the function to check. */
const WITHOUT_TOKEN = new Set(['public', 'signature']);

export interface UpstreamRoute {
  readonly method: HttpMethod;
  readonly path: string;
  /** Base URL of the function that owns the route. */
  readonly upstream: string;
  readonly requiresToken: boolean;
}

/**
 * The gateway's routing table, derived from the catalog: every route of every other HTTP
 * function, sent to that function's URL (its local port, or `ATLAS_FUNCTION_URL_<NAME>`).
 */
export function upstreamRoutes(
  catalog: readonly CatalogEntry[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): UpstreamRoute[] {
  return catalog.flatMap((entry) => {
    if (entry.trigger.kind !== 'http' || entry.service === 'gateway') return [];
    const upstream = functionUrl(entry.qualifiedName, entry.port, env);
    return entry.trigger.routes.map((route) => ({
      method: route.method,
      path: route.path,
      upstream,
      requiresToken: !WITHOUT_TOKEN.has(route.permission),
    }));
  });
}
