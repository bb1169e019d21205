import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { createEvent } from '@atlas/events';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { appendEvent } from '@atlas/messaging';
import {
  approvalParamsSchema,
  decideApprovalById,
  deciderOf,
  toApprovalView,
} from '@atlas/workflow-domain';
import { rejectBodySchema } from './reject.ts';

/**
 * `POST /v1/approvals/:approvalId/reject`: rejects a PENDING approval and stages ApprovalRejected
 * in the same transaction; the order refunds and cancels on it (ADR-0026).
 */
export function rejectRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { params: approvalParamsSchema, body: rejectBodySchema },
      transactional: {
        sql,
        handler: async (tx, { params, body, principal, correlationId }) => {
          const by = deciderOf(principal);
          const row = await decideApprovalById(tx, params.approvalId, {
            kind: 'REJECT',
            by,
            reason: body.reason,
          });
          await appendEvent(
            tx,
            createEvent(
              'ApprovalRejected',
              {
                approvalId: row.approval_id,
                orderId: row.order_id,
                decidedBy: by.username,
                reason: body.reason,
              },
              // The request is the root cause: its correlation id is the one the caller knows.
              { producer: 'workflow', correlationId, causationId: correlationId },
            ),
          );
          return json(202, toApprovalView(row));
        },
      },
    },
    dependencies,
  );
}
