import { transaction } from '@atlas/db';
import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@atlas/db/testing';
import { createEvent } from '@atlas/events';
import { appendEvent } from '@atlas/outbox';
import { insertOrder } from '@atlas/order-domain';
import { cpuMeter } from './floor.ts';
import { pidsOf } from './processes.ts';

export interface CommitCeiling {
  readonly transactionsPerSec: number;
  /** CPU of one transaction: this client's and every PostgreSQL process's, in ms. */
  readonly cpuMsPerTransaction: number;
  readonly clients: number;
  readonly seconds: number;
}

/**
 * The raw commit rate of this machine's PostgreSQL for the saga's typical transaction: the
 * order row and its OrderPlaced outbox row, exactly as place-order writes them, from `clients`
 * concurrent connections for `seconds`, on a throw-away database (fsync and every setting as the
 * running system has them). No HTTP, no Kafka, no Node process besides this one. Its CPU per
 * transaction is the hop floor's cost of a commit.
 */
export async function measureCommitCeiling(
  options: { clients: number; seconds: number } = { clients: 8, seconds: 5 },
): Promise<CommitCeiling> {
  const database = await createTestDatabase();
  try {
    // Open every connection first, so the backends exist when the CPU meter lists them.
    await Promise.all(
      Array.from({ length: options.clients }, () => database.sql`select pg_sleep(0.05)`),
    );
    const cpu = cpuMeter(pidsOf('postgres'));
    const cpuBefore = cpu();
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
    return {
      transactionsPerSec: committed / seconds,
      cpuMsPerTransaction: (cpu() - cpuBefore) / Math.max(1, committed),
      clients: options.clients,
      seconds,
    };
  } finally {
    await database.drop();
  }
}
