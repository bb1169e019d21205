import definition from './function.json' with { type: 'json' };
import { z } from 'zod';
import type { Sql } from '@atlas/db';
import { toInvoice, type InvoiceRow } from '@atlas/billing-domain';
import { NotFoundError } from '@atlas/errors';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';

const invoiceIdSchema = z.uuid();

/** `GET /v1/invoices/:invoiceId`: the invoice, or 404 (also for an id that cannot be one). */
export function getInvoiceRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { params: z.strictObject({ invoiceId: z.string() }) },
      handler: async ({ params }) => {
        const notFound = new NotFoundError(`No invoice ${params.invoiceId}.`);
        if (!invoiceIdSchema.safeParse(params.invoiceId).success) throw notFound;
        const [row] = await sql<InvoiceRow[]>`
          select invoice_id, order_id, status, amount_cents, currency
          from invoices where invoice_id = ${params.invoiceId}`;
        if (!row) throw notFound;
        return json(200, toInvoice(row));
      },
    },
    dependencies,
  );
}
