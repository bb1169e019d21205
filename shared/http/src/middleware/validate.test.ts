import { describe, expect, it } from '@jest/globals';
import type { Request } from '@middy/core';
import { z } from 'zod';
import { ValidationError } from '@atlas/errors';
import type { HttpEvent, HttpResult } from '../types.ts';
import { validate } from './validate.ts';

function run(schemas: Parameters<typeof validate>[0], body: unknown): HttpEvent {
  const event = { params: {}, query: {}, body } as unknown as HttpEvent;
  const before = validate(schemas).before;
  if (!before) throw new Error('validate() has no before step');
  void before({ event } as Request<HttpEvent, HttpResult | undefined>);
  return event;
}

describe('validating the body of a request', () => {
  const required = z.strictObject({ reason: z.string().min(1) });

  it('requires a body when the schema does not accept none', () => {
    expect(() => run({ body: required }, undefined)).toThrow(ValidationError);
  });

  it('accepts a missing body when the schema is optional, and an empty object too', () => {
    const optional = z.strictObject({ comment: z.string().optional() }).optional();

    expect(run({ body: optional }, undefined).body).toBeUndefined();
    expect(run({ body: optional }, {}).body).toEqual({});
    expect(() => run({ body: optional }, { other: 1 })).toThrow(ValidationError);
  });
});
