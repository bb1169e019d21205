import type { MiddlewareObj } from '@middy/core';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '@atlas/errors';
import type { HttpEvent, HttpResult } from '../types.ts';

/** Contract §3: bodies over 1 MiB get 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/** Parses a JSON body into `event.body`; an empty body leaves it undefined for validation to judge. */
export function jsonBody(): MiddlewareObj<HttpEvent, HttpResult | undefined> {
  return {
    name: 'jsonBody',
    before: ({ event }) => {
      if (event.rawBody.length === 0) return;
      if (event.rawBody.length > BODY_LIMIT_BYTES) {
        throw new PayloadTooLargeError(
          `The body has ${event.rawBody.length} bytes; the limit is ${BODY_LIMIT_BYTES}.`,
        );
      }
      const contentType = event.headers['content-type'] ?? '';
      if (!JSON_MEDIA_TYPE.test(contentType)) {
        throw new UnsupportedMediaTypeError(
          `Send the body as application/json (got "${contentType || 'no Content-Type'}").`,
        );
      }
      // JSON is UTF-8 (RFC 8259 §8.1); a body declared in another charset would be misread.
      const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        throw new UnsupportedMediaTypeError(
          `Send the JSON body in UTF-8 (got charset "${charset}").`,
        );
      }
      try {
        event.body = JSON.parse(event.rawBody.toString('utf8')) as unknown;
      } catch {
        throw new BadRequestError('The body is not valid JSON.');
      }
    },
  };
}
