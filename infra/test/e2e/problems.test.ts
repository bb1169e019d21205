import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { GatewayResponse } from '../../local/demo/client.ts';
import { e2eHarness } from './harness.ts';

// Contract §3's error conventions through the gateway: RFC 7807 problems with a correlation id.
const { gateway } = e2eHarness();

const validOrder = {
  customerId: 'cust-problems',
  currency: 'EUR',
  lines: [{ sku: 'SKU-PROBLEMS', quantity: 1, unitPrice: '1.00' }],
  paymentMethod: { type: 'card', token: 'tok_visa' },
};

function expectProblem(response: GatewayResponse, status: number): Record<string, unknown> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = response.json as Record<string, unknown>;
  expect(problem).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    instance: expect.any(String),
    correlationId: response.headers.get('x-correlation-id'),
  });
  return problem;
}

describe('problems through the gateway', () => {
  it('answers 400 with every invalid field in errors[]', async () => {
    const response = await gateway.call('POST', '/v1/orders', {
      user: 'ops',
      key: true,
      body: {
        ...validOrder,
        currency: 'euro',
        lines: [{ sku: 'SKU-X', quantity: 0, unitPrice: '1.5' }],
      },
    });
    const problem = expectProblem(response, 400);
    const errors = problem['errors'] as { path: string; message: string }[];
    expect(errors.length).toBeGreaterThanOrEqual(3);
    for (const error of errors)
      expect(error).toEqual(
        expect.objectContaining({ path: expect.any(String), message: expect.any(String) }),
      );
    expect(errors.map((error) => error.path).join(' ')).toMatch(/currency/);
    expect(errors.map((error) => error.path).join(' ')).toMatch(/quantity/);
  });

  it('rejects an unknown field with 400 naming it', async () => {
    const response = await gateway.call('POST', '/v1/orders', {
      user: 'ops',
      key: true,
      body: { ...validOrder, discount: '10.00' },
    });
    expect(JSON.stringify(expectProblem(response, 400)['errors'])).toMatch(/discount/);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const response = await gateway.call('POST', '/v1/orders', {
      user: 'ops',
      key: true,
      rawBody: '{"customerId": ',
    });
    expectProblem(response, 400);
  });

  it('requires an Idempotency-Key on commands: 400 without one', async () => {
    const response = await gateway.call('POST', '/v1/orders', { user: 'ops', body: validOrder });
    expectProblem(response, 400);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const response = await gateway.call('POST', '/v1/orders', {
      user: 'ops',
      key: true,
      rawBody: JSON.stringify({ ...validOrder, customerId: 'x'.repeat(1024 * 1024 + 1) }),
    });
    expectProblem(response, 413);
  });

  it('answers 404 for an unknown order and an unknown route', async () => {
    const order = await gateway.call('GET', `/v1/orders/${randomUUID()}`, { user: 'viewer' });
    expectProblem(order, 404);
    const route = await gateway.call('GET', '/v1/no-such-thing', { user: 'viewer' });
    expectProblem(route, 404);
  });

  it('echoes the caller’s X-Correlation-Id on the response and in the problem', async () => {
    const correlationId = randomUUID();
    const response = await gateway.call('GET', `/v1/orders/${randomUUID()}`, {
      user: 'viewer',
      headers: { 'x-correlation-id': correlationId },
    });
    expect(response.headers.get('x-correlation-id')).toBe(correlationId);
    expect(expectProblem(response, 404)['correlationId']).toBe(correlationId);
  });

  it('answers 401 as a problem without a token and 403 as a problem without the permission', async () => {
    expectProblem(await gateway.call('GET', '/v1/orders'), 401);
    expectProblem(
      await gateway.call('POST', '/v1/orders', { user: 'viewer', key: true, body: validOrder }),
      403,
    );
  });
});
