import definition from './function.json' with { type: 'json' };
import { z } from 'zod';
import type { Sql } from '@atlas/db';
import { findInvoice, toInvoice } from '@atlas/billing-domain';
import { NotFoundError } from '@atlas/errors';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';

/** `GET /v1/invoices/:invoiceId`: the invoice, or 404 (also for an id that cannot be one). */
export function getInvoiceRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { params: z.strictObject({ invoiceId: z.string() }) },
      handler: async ({ params }) => {
        const row = await findInvoice(sql, params.invoiceId);
        if (!row) throw new NotFoundError(`No invoice ${params.invoiceId}.`);
        return json(200, toInvoice(row));
      },
    },
    dependencies,
  );
}
