import { SIGNATURE_HEADER, verifySignature } from '@atlas/billing-domain';
import { UnauthorizedError } from '@atlas/errors';
import type { HttpMiddleware } from '@atlas/http';

/**
 * The webhook's authentication: the `Atlas-Signature` over the raw body bytes, checked before the
 * body is parsed. The caller only learns "401"; why goes to the log.
 */
export function callbackSignature(secret: string, now: () => Date): HttpMiddleware {
  return {
    name: 'callbackSignature',
    before: ({ event }) => {
      const verdict = verifySignature({
        secret,
        header: event.headers[SIGNATURE_HEADER],
        rawBody: event.rawBody,
        now: now(),
      });
      if (!verdict.valid) {
        event.logger.warn({ reason: verdict.reason }, 'payment callback signature refused');
        throw new UnauthorizedError('The payment callback signature is missing, invalid or stale.');
      }
    },
  };
}
