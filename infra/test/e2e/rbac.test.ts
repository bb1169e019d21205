import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../../local/lib/paths.ts';
import { USERS, type User } from '../../local/demo/client.ts';
import { e2eHarness } from './harness.ts';

// Contract §2's RBAC table, route by route, through the gateway with each demo user's real token.
// Requests are chosen to change nothing: unknown ids (404) and invalid bodies (400), which the
// services answer only after authorizing, so a permitted role never sees 403 and another always.
const { gateway } = e2eHarness();

const NO_ORDER = '00000000-0000-4000-8000-000000000000';
const ALL: readonly User[] = USERS;
const WRITERS: readonly User[] = ['admin', 'ops'];

interface Case {
  readonly method: string;
  readonly path: string;
  /** The catalog route it exercises. */
  readonly route: string;
  readonly allowed: readonly User[];
  /** What a permitted role gets for this request. */
  readonly permitted: number;
  readonly body?: unknown;
}

const CASES: readonly Case[] = [
  {
    method: 'POST',
    path: '/v1/orders',
    route: 'POST /v1/orders',
    allowed: WRITERS,
    permitted: 400,
    body: {},
  },
  {
    method: 'GET',
    path: `/v1/orders/${NO_ORDER}`,
    route: 'GET /v1/orders/:orderId',
    allowed: ALL,
    permitted: 404,
  },
  {
    method: 'GET',
    path: '/v1/orders?pageSize=1',
    route: 'GET /v1/orders',
    allowed: ALL,
    permitted: 200,
  },
  {
    method: 'POST',
    path: `/v1/orders/${NO_ORDER}/cancel`,
    route: 'POST /v1/orders/:orderId/cancel',
    allowed: WRITERS,
    permitted: 404,
  },
  {
    method: 'PUT',
    path: '/v1/inventory/items/SKU-RBAC',
    route: 'PUT /v1/inventory/items/:sku',
    allowed: WRITERS,
    permitted: 400,
    body: {},
  },
  {
    method: 'POST',
    path: '/v1/inventory/items/SKU-RBAC/receipts',
    route: 'POST /v1/inventory/items/:sku/receipts',
    allowed: WRITERS,
    permitted: 400,
    body: {},
  },
  {
    method: 'GET',
    path: '/v1/inventory/items/SKU-RBAC-NONE',
    route: 'GET /v1/inventory/items/:sku',
    allowed: ALL,
    permitted: 404,
  },
  {
    method: 'GET',
    path: `/v1/invoices/${NO_ORDER}`,
    route: 'GET /v1/invoices/:invoiceId',
    allowed: ['admin', 'finance', 'ops'],
    permitted: 404,
  },
  {
    method: 'GET',
    path: `/v1/ledger?orderId=${NO_ORDER}`,
    route: 'GET /v1/ledger',
    allowed: ['admin', 'finance', 'ops'],
    permitted: 200,
  },
  {
    method: 'GET',
    path: '/v1/approvals?pageSize=1',
    route: 'GET /v1/approvals',
    allowed: ['admin', 'approver', 'finance'],
    permitted: 200,
  },
  {
    method: 'POST',
    path: `/v1/approvals/${NO_ORDER}/approve`,
    route: 'POST /v1/approvals/:approvalId/approve',
    allowed: ['admin', 'approver'],
    permitted: 404,
  },
  {
    method: 'POST',
    path: `/v1/approvals/${NO_ORDER}/reject`,
    route: 'POST /v1/approvals/:approvalId/reject',
    allowed: ['admin', 'approver'],
    permitted: 404,
    body: { reason: 'RBAC probe' },
  },
  {
    method: 'GET',
    path: '/v1/reports/orders?pageSize=1',
    route: 'GET /v1/reports/orders',
    allowed: ALL,
    permitted: 200,
  },
  {
    method: 'GET',
    path: `/v1/reports/orders/${NO_ORDER}/timeline`,
    route: 'GET /v1/reports/orders/:orderId/timeline',
    allowed: ALL,
    permitted: 404,
  },
  {
    method: 'GET',
    path: '/v1/reports/sales/daily?from=2026-01-01&to=2026-01-31',
    route: 'GET /v1/reports/sales/daily',
    allowed: ALL,
    permitted: 200,
  },
  {
    method: 'GET',
    path: '/v1/ops/dlq?pageSize=1',
    route: 'GET /v1/ops/dlq',
    allowed: WRITERS,
    permitted: 200,
  },
  {
    method: 'POST',
    path: `/v1/ops/dlq/${NO_ORDER}/replay`,
    route: 'POST /v1/ops/dlq/:id/replay',
    allowed: WRITERS,
    permitted: 404,
  },
  {
    method: 'GET',
    path: '/v1/ops/stuck-orders?pageSize=1',
    route: 'GET /v1/ops/stuck-orders',
    allowed: WRITERS,
    permitted: 200,
  },
  {
    method: 'POST',
    path: '/v1/ops/dlq/replay',
    route: 'POST /v1/ops/dlq/replay',
    body: { ids: [NO_ORDER], dryRun: true },
    allowed: WRITERS,
    permitted: 200,
  },
  {
    method: 'POST',
    path: '/v1/ops/projections/no-such-projection/rebuild',
    route: 'POST /v1/ops/projections/:name/rebuild',
    allowed: WRITERS,
    permitted: 404,
  },
  // Not in the contract's table: the audit trail is Admin's alone (ADR-0027).
  {
    method: 'GET',
    path: `/v1/audit?entityType=order&entityId=${NO_ORDER}`,
    route: 'GET /v1/audit',
    allowed: ['admin'],
    permitted: 200,
  },
];

interface Definition {
  readonly trigger: { routes?: { method: string; path: string; permission: string }[] };
}

/** Every JWT-protected route of the catalog (the webhook is signed instead, the gateway routes). */
function catalogRoutes(): string[] {
  const root = join(REPO_ROOT, 'functions');
  return readdirSync(root).flatMap((service) =>
    readdirSync(join(root, service), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => {
        let definition: Definition;
        try {
          definition = JSON.parse(
            readFileSync(join(root, service, entry.name, 'function.json'), 'utf8'),
          ) as Definition;
        } catch {
          return [];
        }
        return (definition.trigger.routes ?? [])
          .filter((route) => !['authenticated', 'signature'].includes(route.permission))
          .map((route) => `${route.method} ${route.path}`);
      }),
  );
}

const matrix = CASES.flatMap((testCase) =>
  ALL.map((user) => ({
    ...testCase,
    user,
    expected: testCase.allowed.includes(user) ? testCase.permitted : 403,
  })),
);

describe('the RBAC matrix through the gateway', () => {
  it('covers every protected route of the catalog', () => {
    expect(CASES.map((testCase) => testCase.route).sort()).toEqual(catalogRoutes().sort());
  });

  it.each(matrix)(
    '$method $path as $user → $expected',
    async ({ method, path, user, body, expected }) => {
      const response = await gateway.call(method, path, {
        user,
        ...(method === 'GET' ? {} : { key: true }),
        ...(body === undefined ? {} : { body }),
      });
      expect({ status: response.status, body: response.text.slice(0, 300) }).toEqual({
        status: expected,
        body: expect.any(String),
      });
    },
  );

  it.each(CASES)('$method $path without a token → 401', async ({ method, path, body }) => {
    const response = await gateway.call(method, path, {
      ...(method === 'GET' ? {} : { key: true }),
      ...(body === undefined ? {} : { body }),
    });
    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ status: 401, type: expect.any(String) });
  });

  it('answers 401 to a token that is not a valid JWT', async () => {
    const response = await gateway.call('GET', '/v1/orders', {
      headers: { authorization: 'Bearer not.a.token' },
    });
    expect(response.status).toBe(401);
  });

  it('answers 401 to an unsigned payment callback', async () => {
    const response = await gateway.call('POST', '/v1/payments/webhook', { body: {} });
    expect(response.status).toBe(401);
  });
});
