import definition from './function.json' with { type: 'json' };
import { z } from 'zod';
import type { Sql } from '@atlas/db';
import { declaredRoute, json, pageQueryShape, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { listAuditEntries } from '@atlas/workflow-domain';

const name = z.string().min(1).max(200);

/** `?entityType=&entityId=&page=&pageSize=`; an entity id means nothing without its type. */
export const listAuditQuerySchema = z
  .strictObject({ entityType: name.optional(), entityId: name.optional(), ...pageQueryShape })
  .refine((query) => query.entityId === undefined || query.entityType !== undefined, {
    path: ['entityType'],
    error: 'entityType is required with entityId',
  });

/** `GET /v1/audit`: the audit trail, oldest first, Admin only (ADR-0027). */
export function listAuditRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { query: listAuditQuerySchema },
      handler: async ({ query }) => json(200, await listAuditEntries(sql, query)),
    },
    dependencies,
  );
}
