import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AtlasEvent } from '@atlas/events';
import { startTestApi, type ServiceTestApi } from '@atlas/http/testing';
import { approveRoutes } from './approve/routes.ts';
import { listApprovalsRoutes } from './list-approvals/routes.ts';
import { rejectRoutes } from './reject/routes.ts';

// The three approval functions' routes, built as their main.ts builds them, served in-process
// against a fresh database, real Redis and real Keycloak tokens.
let api: ServiceTestApi;

interface CallOptions {
  readonly user?: string;
  readonly body?: unknown;
  readonly key?: string | null;
}

/** Every POST carries a fresh Idempotency-Key unless given one, or none when `key` is null. */
function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const { key, ...rest } = options;
  const sent = method === 'POST' && key !== null ? (key ?? randomUUID()) : undefined;
  return api.call(method, path, { ...rest, ...(sent === undefined ? {} : { key: sent }) });
}

const approve = (approvalId: string, options: CallOptions = {}) =>
  call('POST', `/v1/approvals/${approvalId}/approve`, { user: 'approver', ...options });
const reject = (approvalId: string, options: CallOptions = {}) =>
  call('POST', `/v1/approvals/${approvalId}/reject`, { user: 'approver', ...options });

/** The token subject of a demo user, as the audit trail records it. */
function subjectOf(user: string): string {
  const [, payload = ''] = api.tokenOf(user).split('.');
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string }).sub;
}

/** The audit trail's record that `user` placed `orderId`, as record-audit appends it. */
async function placedBy(orderId: string, user: string): Promise<void> {
  await api.sql`
    insert into audit_log (event_id, kind, entity_type, entity_id, action, actor_subject,
      actor_username, method, route, status, outcome, correlation_id, producer, occurred_at)
    values (${randomUUID()}, 'COMMAND', 'order', ${orderId}, 'place-order', ${subjectOf(user)},
      ${user}, 'POST', '/v1/orders', 202, 'SUCCEEDED', ${randomUUID()}, 'order', now())`;
}

/** A PENDING approval as request-approval opens it, of an order `placer` placed; returns its id. */
async function pendingApproval(
  amountCents = 1_250_000n,
  requestedAt = new Date(),
  placer: string | null = 'ops',
): Promise<string> {
  const approvalId = randomUUID();
  const orderId = randomUUID();
  await api.sql`
    insert into approvals (approval_id, order_id, status, amount_cents, currency, requested_at)
    values (${approvalId}, ${orderId}, 'PENDING', ${amountCents.toString()}::bigint, 'EUR',
      ${requestedAt})`;
  if (placer) await placedBy(orderId, placer);
  return approvalId;
}

async function decisionsOf(approvalId: string): Promise<AtlasEvent[]> {
  const rows = await api.sql<{ event: AtlasEvent }[]>`
    select event from atlas_outbox where event->'payload'->>'approvalId' = ${approvalId}
    order by id`;
  return rows.map((row) => row.event);
}

describe('the approvals API', () => {
  beforeAll(async () => {
    api = await startTestApi({
      name: 'approvals-api-test',
      service: 'workflow',
      routes: (dependencies, sql) => [
        ...listApprovalsRoutes(dependencies, sql),
        ...approveRoutes(dependencies, sql),
        ...rejectRoutes(dependencies, sql),
      ],
      users: ['admin', 'ops', 'finance', 'approver', 'viewer'],
    });
  });

  afterAll(() => api.close());

  describe('listing', () => {
    it('answers an empty first page with the default page size', async () => {
      const response = await call('GET', '/v1/approvals', { user: 'finance' });

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ items: [], page: 1, pageSize: 20, total: 0 });
    });

    it('pages the approvals oldest first and filters them by status', async () => {
      const start = Date.parse('2026-01-01T00:00:00.000Z');
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        ids.push(await pendingApproval(1_000_000n + BigInt(index), new Date(start + index * 1000)));
      }
      await api.sql`
        update approvals set status = 'REJECTED', decided_at = now(), decided_by_subject = 'system',
          decided_by_username = 'system', reason = 'CUSTOMER_CANCELLED'
        where approval_id = ${ids[1] ?? ''}`;

      const second = await call('GET', '/v1/approvals?page=2&pageSize=2', { user: 'approver' });
      const pending = await call('GET', '/v1/approvals?status=PENDING&pageSize=100', {
        user: 'admin',
      });
      const rejected = await call('GET', '/v1/approvals?status=REJECTED', { user: 'finance' });

      expect(await second.json()).toEqual({
        items: [
          {
            approvalId: ids[2],
            orderId: expect.any(String),
            status: 'PENDING',
            amount: '10000.02',
            currency: 'EUR',
            requestedAt: '2026-01-01T00:00:02.000Z',
          },
          expect.objectContaining({ approvalId: ids[3] }),
        ],
        page: 2,
        pageSize: 2,
        total: 5,
      });
      const pendingPage = (await pending.json()) as {
        items: { approvalId: string }[];
        total: number;
      };
      expect(pendingPage.total).toBe(4);
      expect(pendingPage.items.map((item) => item.approvalId)).toEqual([
        ids[0],
        ids[2],
        ids[3],
        ids[4],
      ]);
      expect(await rejected.json()).toMatchObject({
        items: [
          {
            approvalId: ids[1],
            status: 'REJECTED',
            decidedBy: 'system',
            reason: 'CUSTOMER_CANCELLED',
            decidedAt: expect.any(String),
          },
        ],
        total: 1,
      });
      await api.sql`delete from approvals`;
    });

    it.each([
      ['an unknown status', '?status=OPEN', 'query.status'],
      ['a page size over 100', '?pageSize=101', 'query.pageSize'],
      ['page 0', '?page=0', 'query.page'],
      ['a hexadecimal page', '?page=0x10', 'query.page'],
      ['a page past 10000', '?page=10001', 'query.page'],
      ['an unknown parameter', '?sort=amount', 'query'],
    ])('answers 400 to %s', async (_case, search, path) => {
      const response = await call('GET', `/v1/approvals${search}`, { user: 'approver' });

      expect(response.status).toBe(400);
      const problem = (await response.json()) as { errors: { path: string }[] };
      expect(problem.errors[0]?.path).toBe(path);
    });

    it('answers 401 without a token and 403 to roles without approvals:read', async () => {
      expect((await call('GET', '/v1/approvals')).status).toBe(401);
      for (const user of ['ops', 'viewer']) {
        expect((await call('GET', '/v1/approvals', { user })).status).toBe(403);
      }
    });
  });

  describe('deciding', () => {
    it('grants a pending approval as the approver, with the comment, and stages ApprovalGranted', async () => {
      const approvalId = await pendingApproval();

      const response = await approve(approvalId, { body: { comment: 'Known customer' } });

      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({
        approvalId,
        status: 'GRANTED',
        decidedBy: 'approver',
        comment: 'Known customer',
        decidedAt: expect.any(String),
      });
      const events = await decisionsOf(approvalId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        eventType: 'ApprovalGranted',
        producer: 'workflow',
        correlationId: response.headers.get('x-correlation-id'),
        payload: { approvalId, decidedBy: 'approver', comment: 'Known customer' },
      });
    });

    it('grants with no body at all and with an empty body, the comment then null', async () => {
      const bare = await pendingApproval();
      const empty = await pendingApproval();

      expect((await approve(bare)).status).toBe(202);
      expect((await approve(empty, { body: {}, user: 'admin' })).status).toBe(202);

      expect((await decisionsOf(bare))[0]?.payload).toMatchObject({ comment: null });
      expect((await decisionsOf(empty))[0]?.payload).toMatchObject({ decidedBy: 'admin' });
    });

    it('rejects a pending approval with the reason and stages ApprovalRejected', async () => {
      const approvalId = await pendingApproval();

      const response = await reject(approvalId, { body: { reason: 'Over budget' } });

      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({
        approvalId,
        status: 'REJECTED',
        decidedBy: 'approver',
        reason: 'Over budget',
      });
      expect(await decisionsOf(approvalId)).toEqual([
        expect.objectContaining({
          eventType: 'ApprovalRejected',
          payload: expect.objectContaining({ decidedBy: 'approver', reason: 'Over budget' }),
        }),
      ]);
    });

    it('answers 409 to any decision on a decided approval, and emits nothing more', async () => {
      const approvalId = await pendingApproval();
      await approve(approvalId, { body: {} });

      const again = await approve(approvalId, { body: {} });
      const rejection = await reject(approvalId, { body: { reason: 'Changed my mind' } });

      expect(again.status).toBe(409);
      expect(rejection.status).toBe(409);
      expect(rejection.headers.get('content-type')).toContain('application/problem+json');
      expect(await decisionsOf(approvalId)).toHaveLength(1);
    });

    it('answers 404 to a decision on an unknown approval', async () => {
      const response = await approve(randomUUID(), { body: {} });

      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await reject('no-such-approval', { body: { reason: 'x' } })).status).toBe(404);
    });

    it.each([
      ['no reason', {}, 'body.reason'],
      ['an empty reason', { reason: '' }, 'body.reason'],
      ['a blank reason', { reason: '   ' }, 'body.reason'],
      ['an unknown field', { reason: 'x', note: 'y' }, 'body'],
    ])(
      'answers 400 to a rejection with %s and leaves the approval pending',
      async (_case, body, path) => {
        const approvalId = await pendingApproval();

        const response = await reject(approvalId, { body });

        expect(response.status).toBe(400);
        const problem = (await response.json()) as { errors: { path: string }[] };
        expect(problem.errors[0]?.path).toBe(path);
        expect(await decisionsOf(approvalId)).toEqual([]);
      },
    );

    it('answers 400 to a rejection without a body and to an approval with an unknown field', async () => {
      const approvalId = await pendingApproval();

      expect((await reject(approvalId)).status).toBe(400);
      expect((await approve(approvalId, { body: { comment: 'ok', force: true } })).status).toBe(
        400,
      );
    });

    it('answers 400 to a decision without an Idempotency-Key', async () => {
      const approvalId = await pendingApproval();

      const response = await approve(approvalId, { body: {}, key: null });

      expect(response.status).toBe(400);
      expect(await decisionsOf(approvalId)).toEqual([]);
    });

    it('lets only Admin and Approver decide: 401 anonymous, 403 for Ops, Viewer and Finance', async () => {
      const approvalId = await pendingApproval();

      expect((await call('POST', `/v1/approvals/${approvalId}/approve`, { body: {} })).status).toBe(
        401,
      );
      for (const user of ['ops', 'viewer', 'finance']) {
        expect((await approve(approvalId, { user, body: {} })).status).toBe(403);
        expect((await reject(approvalId, { user, body: { reason: 'x' } })).status).toBe(403);
      }
      expect(await decisionsOf(approvalId)).toEqual([]);
      expect((await reject(approvalId, { user: 'admin', body: { reason: 'x' } })).status).toBe(202);
    });

    it('replays a repeated decision with the same key byte-for-byte, deciding once', async () => {
      const approvalId = await pendingApproval();
      const key = randomUUID();

      const first = await reject(approvalId, { body: { reason: 'Duplicate order' }, key });
      const second = await reject(approvalId, { body: { reason: 'Duplicate order' }, key });
      const other = await reject(approvalId, { body: { reason: 'Another reason' }, key });

      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(await second.text()).toBe(await first.text());
      expect(other.status).toBe(422);
      expect(await decisionsOf(approvalId)).toHaveLength(1);
    });
  });

  describe('separation of duties', () => {
    it.each(['admin', 'approver'])(
      'refuses %s the approval of an order they placed, with its own problem',
      async (user) => {
        const approvalId = await pendingApproval(1_250_000n, new Date(), user);

        const approved = await approve(approvalId, { user, body: {} });
        const rejected = await reject(approvalId, { user, body: { reason: 'mine' } });

        for (const response of [approved, rejected]) {
          expect(response.status).toBe(403);
          expect(response.headers.get('content-type')).toContain('application/problem+json');
          expect(await response.json()).toMatchObject({
            status: 403,
            code: 'ATLAS_SEPARATION_OF_DUTIES',
            type: 'https://atlas-erp.dev/problems/separation-of-duties',
          });
        }
        expect(await decisionsOf(approvalId)).toEqual([]);
      },
    );

    it('lets someone else decide it', async () => {
      const approvalId = await pendingApproval(1_250_000n, new Date(), 'admin');
      expect((await approve(approvalId, { user: 'approver', body: {} })).status).toBe(202);
    });

    it('answers a retriable 503 while the trail does not yet say who placed the order, then decides', async () => {
      const approvalId = await pendingApproval(1_250_000n, new Date(), null);
      const key = randomUUID();
      const response = await approve(approvalId, { body: {}, key });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { code: string }).code).toBe(
        'ATLAS_DEPENDENCY_UNAVAILABLE',
      );
      expect(await decisionsOf(approvalId)).toEqual([]);

      // The placement's audit record arrives; the same request, sent again, is decided.
      const [approval] = await api.sql<{ order_id: string }[]>`
        select order_id from approvals where approval_id = ${approvalId}`;
      await placedBy(approval?.order_id ?? '', 'ops');
      const again = await approve(approvalId, { body: {}, key });
      expect(again.status).toBe(202);
    });
  });
});
