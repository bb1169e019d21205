import definition from './function.json' with { type: 'json' };
import { z } from 'zod';
import type { Sql } from '@atlas/db';
import { declaredRoute, json, pageQueryShape, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { APPROVAL_STATUSES, listApprovals, toApprovalView } from '@atlas/workflow-domain';

/** `?status=&page=&pageSize=`; unknown parameters are refused like unknown body fields. */
export const listApprovalsQuerySchema = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional(),
  ...pageQueryShape,
});

/** `GET /v1/approvals`: a page of approvals, oldest request first (contract §3). */
export function listApprovalsRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { query: listApprovalsQuerySchema },
      handler: async ({ query }) => {
        const page = await listApprovals(sql, query);
        return json(200, { ...page, items: page.items.map(toApprovalView) });
      },
    },
    dependencies,
  );
}
