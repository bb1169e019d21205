import { transaction } from '@atlas/db';
import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@atlas/db/testing';
import { createEvent } from '@atlas/events';
import { appendEvent } from '@atlas/outbox';
import { insertOrder } from '@atlas/order-domain';

export interface CommitCeiling {
  readonly transactionsPerSec: number;
  readonly clients: number;
  readonly seconds: number;
}

/**
 * The raw commit rate of this machine's PostgreSQL for the saga's typical transaction: the
 * order row and its OrderPlaced outbox row, exactly as place-order writes them, from `clients`
 * concurrent connections for `seconds`, on a throw-away database (fsync and every setting as the
 * running system has them). No HTTP, no Kafka, no Node process besides this one.
 */
export async function measureCommitCeiling(
  options: { clients: number; seconds: number } = { clients: 8, seconds: 5 },
): Promise<CommitCeiling> {
  const database = await createTestDatabase();
  try {
    let committed = 0;
    const until = performance.now() + options.seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.clients }, async () => {
        while (performance.now() < until) {
          const orderId = randomUUID();
          const lines = [{ sku: 'SKU-CEILING', quantity: 1, unitPrice: '19.99' }];
          await transaction(database.sql, async (tx) => {
            await insertOrder(tx, {
              id: orderId,
              customerId: 'c',
              currency: 'EUR',
              lines,
              totalCents: 1999n,
            });
            await appendEvent(
              tx,
              createEvent(
                'OrderPlaced',
                {
                  orderId,
                  customerId: 'c',
                  currency: 'EUR',
                  lines,
                  total: '19.99',
                  paymentMethod: { type: 'card', token: 'tok_visa' },
                },
                { producer: 'order', correlationId: orderId, causationId: orderId },
              ),
            );
          });
          committed += 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { transactionsPerSec: committed / seconds, clients: options.clients, seconds };
  } finally {
    await database.drop();
  }
}
