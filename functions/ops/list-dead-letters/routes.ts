import { z } from 'zod';
import {
  authenticate,
  httpFunction,
  json,
  offsetOf,
  pageQueryShape,
  type Route,
} from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import {
  type DeadLetter,
  listDeadLetters,
  type DeadLetterSource,
} from '@atlas/messaging/dead-letters';

const METHOD = 'GET';
const ROUTE = '/v1/ops/dlq';

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
  const handle = httpFunction(
    {
      name: 'list-dead-letters',
      method: METHOD,
      route: ROUTE,
      schemas: { query: listDeadLettersQuerySchema },
      authenticate: authenticate(dependencies.verifier, 'ops:operate'),
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
  return [{ method: METHOD, route: ROUTE, handle }];
}
