import definition from './function.json' with { type: 'json' };
import { z } from 'zod';
import { declaredRoute, json, offsetOf, pageQueryShape, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import {
  type DeadLetter,
  listDeadLetters,
  type DeadLetterSource,
} from '@atlas/messaging/dead-letters';

/** Contract §3 paging; `consumer` narrows to the dead letters of one function. */
export const listDeadLettersQuerySchema = z.strictObject({
  ...pageQueryShape,
  consumer: z.string().min(1).max(100).optional(),
});

/** `GET /v1/ops/dlq`: a page of the dead letters of every domain, newest failure first. */
export function listDeadLettersRoutes(
  dependencies: HttpRouteDependencies,
  source: DeadLetterSource,
): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { query: listDeadLettersQuerySchema },
      handler: async ({ query }) => {
        const letters = (await listDeadLetters(source)).filter(
          (letter: DeadLetter) =>
            query.consumer === undefined || letter.consumer === query.consumer,
        );
        const start = offsetOf(query);
        return json(200, {
          items: letters.slice(start, start + query.pageSize),
          page: query.page,
          pageSize: query.pageSize,
          total: letters.length,
        });
      },
    },
    dependencies,
  );
}
