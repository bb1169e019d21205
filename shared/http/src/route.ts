/**
 * Matches `/v1/orders/:orderId` against a path. Parameters are URI-decoded; a segment that
 * does not decode (a stray `%`) does not match, so it ends as a 404, not a 500.
 */
export function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
  // A trailing slash is not significant: `/v1/orders/` is `/v1/orders`, and `/` is the root.
  const expected = pattern.replace(/\/+$/, '').split('/');
  const actual = path.replace(/\/+$/, '').split('/');
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index] ?? '';
    if (segment.startsWith(':')) {
      if (value === '') return undefined;
      try {
        params[segment.slice(1)] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (segment !== value) {
      return undefined;
    }
  }
  return params;
}
