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
import { approveBodySchema } from './approve.ts';

/**
 * `POST /v1/approvals/:approvalId/approve`: grants a PENDING approval and stages ApprovalGranted
 * in the same transaction; the order confirms on it (ADR-0026).
 */
export function approveRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { params: approvalParamsSchema, body: approveBodySchema },
      transactional: {
        sql,
        handler: async (tx, { params, body, principal, correlationId }) => {
          const by = deciderOf(principal);
          const row = await decideApprovalById(tx, params.approvalId, {
            kind: 'GRANT',
            by,
            comment: body?.comment ? body.comment : null,
          });
          await appendEvent(
            tx,
            createEvent(
              'ApprovalGranted',
              {
                approvalId: row.approval_id,
                orderId: row.order_id,
                decidedBy: by.username,
                comment: row.comment,
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
