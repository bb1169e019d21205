import type { MiddlewareObj } from '@middy/core';
import type { z } from 'zod';
import { ValidationError, type FieldViolation } from '@atlas/errors';
import type { HttpEvent, HttpResult } from '../types.ts';

export interface RequestSchemas {
  readonly body?: z.ZodType;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
}

function violationsOf(part: string, error: z.ZodError): FieldViolation[] {
  return error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/**
 * Validates params, query and body with zod and replaces them by the parsed values. Schemas are
 * expected to be strict objects, so unknown fields are rejected (contract §3). Every violation of
 * every part is reported at once, with its path.
 */
export function validate(
  schemas: RequestSchemas,
): MiddlewareObj<HttpEvent, HttpResult | undefined> {
  return {
    name: 'validate',
    before: ({ event }) => {
      const violations: FieldViolation[] = [];
      // The parsed values replace the raw ones: handlers get zod's output (defaults, coercions).
      const target = event as { params: unknown; query: unknown; body: unknown };
      const parse = (part: 'params' | 'query' | 'body', schema: z.ZodType | undefined): void => {
        if (!schema) return;
        const result = schema.safeParse(target[part]);
        if (result.success) target[part] = result.data;
        else violations.push(...violationsOf(part, result.error));
      };
      parse('params', schemas.params);
      parse('query', schemas.query);
      // A body schema that accepts undefined makes the body optional (approve takes `{comment?}`).
      if (schemas.body && event.body === undefined && !schemas.body.safeParse(undefined).success) {
        violations.push({ path: 'body', message: 'A JSON body is required.' });
      } else {
        parse('body', schemas.body);
      }
      if (violations.length > 0) {
        throw new ValidationError(
          `${violations.length} field(s) of the request are invalid.`,
          violations,
        );
      }
    },
  };
}
