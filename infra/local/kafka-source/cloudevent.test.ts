import { describe, expect, it } from '@jest/globals';
import { percentEncode } from '@atlas/messaging/cloud-event-http';
import { toHttpCloudEvent, type KafkaRecord } from './cloudevent.ts';

const base: KafkaRecord = {
  topic: 'atlas.order.events.v1',
  partition: 2,
  offset: '41',
  timestamp: String(Date.parse('2026-11-27T10:00:00.000Z')),
  key: Buffer.from('order-1'),
  value: Buffer.from([0, 0, 0, 0, 7, 0xff, 0x10]),
};

describe('toHttpCloudEvent', () => {
  it('passes the Kafka-binding attributes of an outbox record through as ce- headers', () => {
    const record: KafkaRecord = {
      ...base,
      headers: {
        ce_id: Buffer.from('e-1'),
        ce_type: Buffer.from('OrderPlaced'),
        ce_source: Buffer.from('/atlas/order'),
        ce_specversion: Buffer.from('1.0'),
        ce_time: Buffer.from('2026-11-27T09:59:59.000Z'),
        'content-type': Buffer.from('application/avro'),
        traceparent: Buffer.from('00-abc-def-01'),
      },
    };

    const event = toHttpCloudEvent(record, 'reserve-stock');

    expect(event.headers).toEqual({
      'ce-id': 'e-1',
      'ce-type': 'OrderPlaced',
      'ce-source': '/atlas/order',
      'ce-specversion': '1.0',
      'ce-time': '2026-11-27T09:59:59.000Z',
      'content-type': 'application/avro',
    });
    expect(event.id).toBe('e-1');
    expect(Buffer.from(event.body)).toEqual(base.value);
  });

  it('synthesises the attributes Knative gives a record that is not a CloudEvent', () => {
    const record: KafkaRecord = { ...base, headers: { 'Trace-Id': Buffer.from('t-9') } };

    const event = toHttpCloudEvent(record, 'reserve-stock');

    expect(event.headers).toEqual({
      'ce-specversion': '1.0',
      'ce-id': 'atlas.order.events.v1-2-41',
      'ce-source': '/apis/v1/namespaces/atlas-erp/kafkasources/reserve-stock#atlas.order.events.v1',
      'ce-type': 'dev.knative.kafka.event',
      'ce-subject': 'partition:2#41',
      'ce-time': '2026-11-27T10:00:00.000Z',
      'ce-key': 'order-1',
      'ce-kafkaheadertraceid': 't-9',
    });
  });

  it('sends an empty body for a tombstone and leaves out the key of a keyless record', () => {
    const event = toHttpCloudEvent({ ...base, key: null, value: null }, 'reserve-stock');
    expect(event.body).toHaveLength(0);
    expect(event.headers).not.toHaveProperty('ce-key');
  });
});

describe('percentEncode', () => {
  it('encodes what an HTTP header cannot carry as it is, per the HTTP binding', () => {
    expect(percentEncode('Euro € "100%"\r\n')).toBe('Euro %E2%82%AC %22100%25%22%0D%0A');
    expect(percentEncode('/atlas/order?x=1')).toBe('/atlas/order?x=1');
  });
});
