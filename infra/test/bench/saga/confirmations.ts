import { randomUUID } from 'node:crypto';
import { logLevel, type Consumer } from 'kafkajs';
import { createKafka } from '@atlas/messaging/kafka';

export const ORDER_TOPIC = 'atlas.order.events.v1';

/** How an order's saga ended, as its final event on the order topic says. */
export interface Settlement {
  readonly eventType: 'OrderConfirmed' | 'OrderCancelled';
  /** The record's timestamp: when the order service's relay published it. */
  readonly at: number;
}

export interface ConfirmationWatch {
  /** The settlement of an order, once its final event was read from Kafka. */
  settlementOf(orderId: string): Settlement | undefined;
  /** Resolves once every id has settled, or at the deadline; answers the ids still open. */
  waitFor(orderIds: readonly string[], deadline: number): Promise<string[]>;
  stop(): Promise<void>;
}

const FINAL_TYPES = new Set(['OrderConfirmed', 'OrderCancelled']);

/**
 * Reads the order topic from its current end on, and notes each `OrderConfirmed` and
 * `OrderCancelled` record by key (the order id) with the record's timestamp. Nothing is decoded:
 * the CloudEvents `ce_type` header names the event. A throw-away consumer group, deleted at stop.
 */
export async function watchConfirmations(brokers: readonly string[]): Promise<ConfirmationWatch> {
  const kafka = createKafka({
    clientId: 'atlas-bench',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const starts = await admin.fetchTopicOffsets(ORDER_TOPIC);
  const groupId = `atlas-bench-${randomUUID()}`;
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const settled = new Map<string, Settlement>();
  const waiters = new Set<() => void>();

  await consumer.connect();
  await consumer.subscribe({ topics: [ORDER_TOPIC], fromBeginning: false });
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve());
  });
  await consumer.run({
    // A throw-away group that seeks where it starts: a commit per batch would only load the
    // broker whose CPU the bench charges to the stack.
    autoCommit: false,
    partitionsConsumedConcurrently: 8,
    eachMessage: async ({ message }) => {
      const type = message.headers?.['ce_type']?.toString();
      const key = message.key?.toString();
      if (!type || !key || !FINAL_TYPES.has(type)) return;
      if (!settled.has(key))
        settled.set(key, {
          eventType: type as Settlement['eventType'],
          at: Number(message.timestamp),
        });
      for (const wake of waiters) wake();
    },
  });
  await joined;
  // Start exactly where the topic ended before the run, whatever the group's reset policy did.
  for (const { partition, high } of starts)
    consumer.seek({ topic: ORDER_TOPIC, partition, offset: high });

  return {
    settlementOf: (orderId) => settled.get(orderId),
    async waitFor(orderIds, deadline) {
      const open = (): string[] => orderIds.filter((id) => !settled.has(id));
      while (open().length > 0 && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(500, Math.max(0, deadline - Date.now())));
          function done(): void {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
      return open();
    },
    async stop() {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
