import { z } from 'zod';
import type { Sql } from '@atlas/db';
import { authenticate, httpFunction, json, pageQueryShape, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { APPROVAL_STATUSES, listApprovals, toApprovalView } from '@atlas/workflow-domain';

const METHOD = 'GET';
const ROUTE = '/v1/approvals';

/** `?status=&page=&pageSize=`; unknown parameters are refused like unknown body fields. */
export const listApprovalsQuerySchema = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional(),
  ...pageQueryShape,
});

/** `GET /v1/approvals`: a page of approvals, oldest request first (contract §3). */
export function listApprovalsRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  const handle = httpFunction(
    {
      name: 'list-approvals',
      method: METHOD,
      route: ROUTE,
      schemas: { query: listApprovalsQuerySchema },
      authenticate: authenticate(dependencies.verifier, 'approvals:read'),
      handler: async ({ query }) => {
        const page = await listApprovals(sql, query);
        return json(200, { ...page, items: page.items.map(toApprovalView) });
      },
    },
    dependencies,
  );
  return [{ method: METHOD, route: ROUTE, handle }];
}
