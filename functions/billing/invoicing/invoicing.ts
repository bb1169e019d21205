import definition from './function.json' with { type: 'json' };
import type { TransactionSql } from '@atlas/db';
import {
  compensate,
  lockInvoice,
  recordInventoryReserved,
  recordOrderPlaced,
  type Emit,
} from '@atlas/billing-domain';
import { MalformedEventError, NotFoundError } from '@atlas/errors';
import type { AtlasEvent } from '@atlas/events';
import type { EventFunctionSpec } from '@atlas/messaging';
import { parseCents } from '@atlas/money';
import { z } from 'zod';
import { invoiceWhenJoined } from './join.ts';

const EVENT_TYPES = [
  'OrderPlaced',
  'InventoryReserved',
  'InvoiceVoidRequested',
  'PaymentRefundRequested',
] as const;

type InvoicingEventType = (typeof EVENT_TYPES)[number];
type InvoicingEvent = { [K in InvoicingEventType]: AtlasEvent<K> }[InvoicingEventType];

const uuid = z.uuid();

function centsOf(total: string): bigint {
  try {
    return parseCents(total);
  } catch (error) {
    throw new MalformedEventError(`OrderPlaced total "${total}" is not an amount`, {
      cause: error,
    });
  }
}

async function onOrderPlaced(
  tx: TransactionSql,
  event: AtlasEvent<'OrderPlaced'>,
  emit: Emit,
): Promise<void> {
  const { orderId, currency, paymentMethod } = event.payload;
  const amountCents = centsOf(event.payload.total).toString();
  // Only the first OrderPlaced of an order counts: the invoice may already be made from it.
  await recordOrderPlaced(tx, { orderId, amountCents, currency, cardToken: paymentMethod.token });
  await invoiceWhenJoined(tx, orderId, emit);
}

async function onInventoryReserved(
  tx: TransactionSql,
  event: AtlasEvent<'InventoryReserved'>,
  emit: Emit,
): Promise<void> {
  const { orderId } = event.payload;
  await recordInventoryReserved(tx, orderId);
  await invoiceWhenJoined(tx, orderId, emit);
}

async function onCompensationRequested(
  tx: TransactionSql,
  event: AtlasEvent<'InvoiceVoidRequested'> | AtlasEvent<'PaymentRefundRequested'>,
  emit: Emit,
): Promise<void> {
  const { orderId, invoiceId } = event.payload;
  const invoice = uuid.safeParse(invoiceId).success ? await lockInvoice(tx, invoiceId) : undefined;
  // The orchestrator learns an invoice id only from InvoiceCreated, committed with the invoice:
  // an unknown one will never appear, so retrying cannot help.
  if (invoice?.order_id !== orderId) {
    throw new NotFoundError(`No invoice ${invoiceId} of order ${orderId}.`);
  }
  await compensate(tx, invoice, emit);
}

/**
 * The invoicing consumer (ADR-0026, "Billing"): one consumer group over the order and inventory
 * topics, so one order's void or refund request always follows its OrderPlaced.
 */
export function invoicingConsumer(): EventFunctionSpec<InvoicingEventType> {
  return {
    name: definition.name,
    service: definition.service,
    eventTypes: EVENT_TYPES,
    handle: async (tx, delivered, { emit }) => {
      const event = delivered as InvoicingEvent;
      switch (event.eventType) {
        case 'OrderPlaced':
          return onOrderPlaced(tx, event, emit);
        case 'InventoryReserved':
          return onInventoryReserved(tx, event, emit);
        case 'InvoiceVoidRequested':
        case 'PaymentRefundRequested':
          return onCompensationRequested(tx, event, emit);
      }
    },
  };
}
