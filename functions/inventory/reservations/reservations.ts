import definition from './function.json' with { type: 'json' };
import type { TransactionSql } from '@atlas/db';
import type { AtlasEvent } from '@atlas/events';
import { releaseOrder, reserveOrBackorder } from '@atlas/inventory-items';
import type { EventFunctionSpec, EventHandlerContext } from '@atlas/messaging';

type Handled = 'OrderPlaced' | 'InventoryReleaseRequested';

/**
 * The inventory side of the saga (ADR-0026). One consumer for both event types on purpose: both
 * are on the order topic, and one consumer group keeps an order's release request behind its
 * placement.
 */
export function reservationsConsumer(): EventFunctionSpec<Handled> {
  return {
    name: definition.name,
    service: definition.service,
    eventTypes: ['OrderPlaced', 'InventoryReleaseRequested'],
    handle: async (tx, event, context) => {
      const typed = event as AtlasEvent<'OrderPlaced'> | AtlasEvent<'InventoryReleaseRequested'>;
      if (typed.eventType === 'OrderPlaced') await onOrderPlaced(tx, typed, context);
      else await onReleaseRequested(tx, typed, context);
    },
  };
}

async function onOrderPlaced(
  tx: TransactionSql,
  event: AtlasEvent<'OrderPlaced'>,
  { emit, logger }: EventHandlerContext,
): Promise<void> {
  const { orderId, lines } = event.payload;
  const outcome = await reserveOrBackorder(tx, {
    orderId,
    lines: lines.map(({ sku, quantity }) => ({ sku, quantity })),
  });
  if (outcome.kind === 'seen-before') {
    logger.warn({ orderId }, 'OrderPlaced for an order already decided; nothing reserved again');
  } else if (outcome.kind === 'reserved') {
    await emit('InventoryReserved', { orderId, lines: outcome.lines });
  } else {
    await emit('InventoryBackordered', { orderId, lines: outcome.short });
  }
}

async function onReleaseRequested(
  tx: TransactionSql,
  event: AtlasEvent<'InventoryReleaseRequested'>,
  { emit }: EventHandlerContext,
): Promise<void> {
  const { orderId, reason } = event.payload;
  const outcome = await releaseOrder(tx, orderId);
  // Always answered, even when nothing was held: the order waits for it to finish cancelling.
  await emit('InventoryReleased', { orderId, lines: outcome.released, reason });
  for (const filled of outcome.filled) {
    await emit('InventoryReserved', { orderId: filled.orderId, lines: filled.lines });
  }
}
