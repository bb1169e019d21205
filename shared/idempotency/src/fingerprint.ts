import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so `{"a":1,"b":2}` and `{"b":2,"a":1}` serialise
 * the same. Arrays keep their order (it is meaningful); `undefined` properties vanish as in
 * `JSON.stringify`. `undefined` itself becomes the empty string.
 */
export function canonicalJson(value: unknown): string {
  // Typed as string, but JSON.stringify(undefined) is undefined: a request without a body.
  const json = JSON.stringify(value, (_key, nested: unknown) =>
    isObject(nested) ? sorted(nested) : nested,
  ) as string | undefined;
  return json ?? '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sorted(object: Record<string, unknown>): Record<string, unknown> {
  // fromEntries defines properties, so a "__proto__" key stays data and cannot touch the prototype.
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, object[key]]),
  );
}

/** What identifies "the same request" for an idempotency key. */
export interface RequestToFingerprint {
  readonly method: string;
  /** The concrete path (with its ids), e.g. `/v1/orders/42/cancel`; include the query string if it matters. */
  readonly path: string;
  /** The parsed JSON body; `undefined` when there is none. */
  readonly body: unknown;
}

/**
 * sha256 (hex) of method, path and canonical body: the same command sent twice with its JSON
 * keys in another order has the same fingerprint; any other change gives a different one.
 *
 * @example
 * fingerprintRequest({ method: 'POST', path: '/v1/orders', body: { customerId: 'c1' } });
 */
export function fingerprintRequest(request: RequestToFingerprint): string {
  return createHash('sha256')
    .update(`${request.method.toUpperCase()} ${request.path}\n`)
    .update(canonicalJson(request.body))
    .digest('hex');
}
