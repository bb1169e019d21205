import { functionUrl, kafkaSources, loadCatalog } from '@atlas/catalog';
import { loadStackConfig } from '@atlas/config';
import { topicOf, type EventType } from '@atlas/events';
import { createUpstreamClient } from '@atlas/http/upstream';
import { createKafka } from '@atlas/messaging/kafka';
import { readTopicsToEnd } from '@atlas/messaging';
import { logLevel, type KafkaMessage } from 'kafkajs';
import { toHttpCloudEvent } from '../kafka-source/cloudevent.ts';
import type { Gateway } from './client.ts';
import { orderBody, placeOrder, SagaError, settledTimeline, waitForOrder } from './saga.ts';
import type { DemoLog, Scenario } from './scenarios.ts';

/** The event the demo delivers again: the one that confirms a small order. */
const REDELIVERED: EventType = 'PaymentSucceeded';

async function recordOf(eventType: EventType, eventId: string): Promise<KafkaMessage> {
  const kafka = createKafka({
    clientId: 'atlas-demo',
    brokers: [...loadStackConfig().kafka.brokers],
    logLevel: logLevel.NOTHING,
  });
  let found: KafkaMessage | undefined;
  await readTopicsToEnd(
    kafka,
    [topicOf(eventType)],
    ({ message }) => {
      if (message.headers?.['ce_id']?.toString() === eventId) found = message;
      return Promise.resolve();
    },
    { groupPrefix: 'atlas-demo-redelivery' },
  );
  if (!found) throw new SagaError(`${eventType} ${eventId} is not on ${topicOf(eventType)}`);
  return found;
}

/** `atlas_events_handled_total` of one consumer for one event type and outcome, from its /metrics. */
async function handled(url: string, eventType: string, outcome: string): Promise<number> {
  const response = await fetch(new URL('/metrics', url));
  if (!response.ok) throw new SagaError(`GET ${url}metrics answered ${response.status}`);
  const text = await response.text();
  const line = text
    .split('\n')
    .find(
      (row) =>
        row.startsWith('atlas_events_handled_total{') &&
        row.includes(`eventType="${eventType}"`) &&
        row.includes(`outcome="${outcome}"`),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

interface Snapshot {
  readonly status: string;
  readonly invoice: string;
  readonly timeline: number;
}

async function snapshot(gateway: Gateway, orderId: string): Promise<Snapshot> {
  const order = await waitForOrder(gateway, orderId, ['CONFIRMED', 'CANCELLED']);
  const invoice = await gateway.call('GET', `/v1/invoices/${order.invoiceId ?? ''}`, {
    user: 'finance',
  });
  const events = await settledTimeline(gateway, orderId, 'OrderConfirmed');
  return {
    status: order.status,
    invoice: JSON.stringify(invoice.json),
    timeline: events.length,
  };
}

/**
 * Demo 8: a consumed event delivered again changes nothing. The order's PaymentSucceeded is read
 * back from its topic and POSTed once more, as the KafkaSource would after a lost commit, to every
 * consumer of that type; each answers 200 and counts it a duplicate (its inbox has the event id),
 * or ignores it again when the event asks nothing of it.
 */
export const eventRedelivered: Scenario = {
  title: 'An event delivered twice changes nothing',
  doc: 'docs/demos/idempotency.md#events-delivered-again',
  async run(gateway: Gateway, log: DemoLog) {
    const orderId = await placeOrder(
      gateway,
      orderBody(
        'demo-customer',
        [{ sku: 'SKU-DEMO-1', quantity: 1, unitPrice: '19.99' }],
        'tok_visa',
      ),
    );
    log.order(orderId);
    const before = await snapshot(gateway, orderId);
    log.step(
      `ops placed order ${orderId}: ${before.status}, ${before.timeline} events on its timeline`,
    );

    const events = await settledTimeline(gateway, orderId, 'OrderConfirmed');
    const event = events.find((entry) => entry.eventType === REDELIVERED);
    if (!event) throw new SagaError(`order ${orderId} has no ${REDELIVERED} on its timeline`);
    const record = await recordOf(REDELIVERED, event.eventId);
    log.step(`read ${REDELIVERED} ${event.eventId} back from ${topicOf(REDELIVERED)}`);

    const post = createUpstreamClient();
    const consumers = kafkaSources(loadCatalog()).filter((entry) =>
      entry.trigger.eventTypes.includes(REDELIVERED),
    );
    for (const consumer of consumers) {
      const url = functionUrl(consumer.qualifiedName, consumer.port);
      const duplicatesBefore = await handled(url, REDELIVERED, 'duplicate');
      const ignoredBefore = await handled(url, REDELIVERED, 'ignored');
      const cloudEvent = toHttpCloudEvent(
        {
          topic: topicOf(REDELIVERED),
          partition: 0,
          offset: record.offset,
          timestamp: record.timestamp,
          key: record.key,
          value: record.value,
          headers: record.headers,
        },
        consumer.qualifiedName,
      );
      const answer = await post(url, {
        method: 'POST',
        headers: cloudEvent.headers,
        body: cloudEvent.body,
        timeoutMs: 10_000,
        maxBodyBytes: 4_096,
      });
      const duplicates = (await handled(url, REDELIVERED, 'duplicate')) - duplicatesBefore;
      const ignored = (await handled(url, REDELIVERED, 'ignored')) - ignoredBefore;
      // A consumer the event asks nothing of (request-approval and a payment below the approval
      // threshold) ignores it every time, without an inbox row to find it in.
      log.step(
        ignored > 0
          ? `delivered again to ${consumer.qualifiedName}: ${answer.status}, ignored ${ignored} time(s), as the first time: it asks nothing of this consumer`
          : `delivered again to ${consumer.qualifiedName}: ${answer.status}, counted as duplicate ${duplicates} time(s)`,
      );
    }

    const after = await snapshot(gateway, orderId);
    const same =
      after.status === before.status &&
      after.invoice === before.invoice &&
      after.timeline === before.timeline;
    log.step(
      `after: ${after.status}, invoice ${same ? 'unchanged' : 'CHANGED'}, ${after.timeline} events on the timeline — ${same ? 'nothing changed' : 'SOMETHING CHANGED'}`,
    );
    if (!same) throw new SagaError(`redelivering ${REDELIVERED} changed order ${orderId}`);
  },
};
