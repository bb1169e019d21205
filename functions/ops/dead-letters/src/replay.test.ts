import { describe, expect, it } from '@jest/globals';
import type { CatalogEntry, ServiceOfFunction } from '@atlas/catalog';
import { topicsOf, type EventType } from '@atlas/events';
import type { DeadLetterRecord } from '@atlas/messaging/dead-letters';
import { replayRequestOf, replayTarget } from './replay.ts';

function record(headers: Record<string, string>): DeadLetterRecord {
  return {
    topic: 'atlas.order.dlq.v1',
    partition: 0,
    message: {
      key: null,
      value: Buffer.from([0, 0, 0, 0, 7, 1]),
      offset: '0',
      timestamp: '0',
      attributes: 0,
      headers,
    },
  };
}

function consumer(
  service: ServiceOfFunction,
  name: string,
  eventTypes: EventType[],
  port: number,
): CatalogEntry {
  return {
    name,
    service,
    description: 'a consumer of saga events',
    trigger: { kind: 'kafka', eventTypes, topics: topicsOf(eventTypes) },
    port,
    entry: './main.ts',
    qualifiedName: `${service}-${name}`,
    directory: `/functions/${service}/${name}`,
    entryPath: `/functions/${service}/${name}/main.ts`,
  };
}

const catalog = [
  consumer('inventory', 'reservations', ['OrderPlaced'], 8123),
  consumer('billing', 'handler', ['InvoiceCreated'], 8134),
  consumer('workflow', 'handler', ['OrderCancelled', 'PaymentSucceeded'], 8144),
];
const failedOn = (consumerName: string, topic: string) =>
  record({
    ce_specversion: '1.0',
    atlas_dlq_consumer: consumerName,
    atlas_dlq_source_topic: topic,
    ce_knativeerrordest: 'http://10.0.0.9:8080/',
  });

describe('where a dead letter is replayed to', () => {
  it("goes to its consumer's catalog port", () => {
    expect(replayTarget(failedOn('reservations', 'atlas.order.events.v1'), catalog, {})).toBe(
      'http://127.0.0.1:8123/',
    );
  });

  it("follows the consumer's URL override", () => {
    const env = { ATLAS_FUNCTION_URL_INVENTORY_RESERVATIONS: 'http://reservations.atlas:8080' };
    expect(replayTarget(failedOn('reservations', 'atlas.order.events.v1'), catalog, env)).toBe(
      'http://reservations.atlas:8080/',
    );
  });

  it('tells namesakes of two services apart by the topic the event came from', () => {
    expect(replayTarget(failedOn('handler', 'atlas.order.events.v1'), catalog, {})).toBe(
      'http://127.0.0.1:8144/',
    );
  });

  it('falls back to the sink recorded at the failure when the catalog cannot tell', () => {
    expect(replayTarget(failedOn('gone', 'atlas.order.events.v1'), catalog, {})).toBe(
      'http://10.0.0.9:8080/',
    );
    expect(replayTarget(failedOn('handler', 'atlas.billing.events.v1'), catalog, {})).toBe(
      'http://10.0.0.9:8080/',
    );
  });

  it('is unknown without either', () => {
    expect(replayTarget(record({ atlas_dlq_consumer: 'gone' }), catalog, {})).toBeNull();
  });
});

describe('the replayed request', () => {
  it('carries the CloudEvent attributes, encoded for HTTP, and not the dead-lettering ones', () => {
    const request = replayRequestOf(
      record({
        ce_specversion: '1.0',
        ce_id: 'evt-1',
        ce_subject: 'Zoë "quoted"',
        'content-type': 'application/avro',
        ce_knativeerrorcode: '500',
        atlas_dlq_attempts: '6',
      }),
    );
    expect(request?.headers).toEqual({
      'content-type': 'application/avro',
      'ce-specversion': '1.0',
      'ce-id': 'evt-1',
      'ce-subject': 'Zo%C3%AB %22quoted%22',
    });
    expect(request?.body).toEqual(Buffer.from([0, 0, 0, 0, 7, 1]));
  });

  it('is none for a record that is no binary CloudEvent', () => {
    expect(replayRequestOf(record({ atlas_dlq_consumer: 'x' }))).toBeNull();
  });
});
