import definition from './function.json' with { type: 'json' };
import { z } from 'zod';
import type { Sql } from '@atlas/db';
import { NotFoundError } from '@atlas/errors';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { PROJECTION_NAMES, isProjectionName } from '@atlas/reporting-domain';
import { rebuild, type EventSource } from './rebuild.ts';

const paramsSchema = z.strictObject({ name: z.string().min(1).max(100) });

/**
 * `POST /v1/ops/projections/:name/rebuild`: rebuilds the read model from the topics and answers
 * 202 once the new one is committed, with what was read.
 */
export function rebuildProjectionRoutes(
  dependencies: HttpRouteDependencies,
  sql: Sql,
  source: EventSource,
): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { params: paramsSchema },
      handler: async ({ params, logger }) => {
        if (!isProjectionName(params.name)) {
          throw new NotFoundError(
            `No projection ${params.name}; the projections are ${PROJECTION_NAMES.join(', ')}.`,
          );
        }
        const result = await rebuild(sql, params.name, source, logger);
        logger.info(result, 'projection rebuilt');
        return json(202, { ...result, status: 'REBUILT' });
      },
    },
    dependencies,
  );
}
