import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { NotFoundError } from '@atlas/errors';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { orderTimeline } from '@atlas/reporting-domain';
import { timelineParamsSchema, toTimelineItem } from './timeline.ts';

/**
 * `GET /v1/reports/orders/:orderId/timeline`: every event of the order's saga, oldest first, or
 * 404 while none is known. Events of one millisecond keep the order they were projected in.
 */
export function orderTimelineRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { params: timelineParamsSchema },
      handler: async ({ params }) => {
        const rows = await orderTimeline(sql, params.orderId);
        if (rows.length === 0) throw new NotFoundError(`No event of order ${params.orderId}.`);
        return json(200, { orderId: params.orderId, items: rows.map(toTimelineItem) });
      },
    },
    dependencies,
  );
}
