import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { InternalError, MalformedEventError } from '@atlas/errors';
import type { Type } from 'avsc';
import { EVENT_TYPES, isEventType } from './catalog.ts';
import { assertValidEvent } from './create-event.ts';
import type { AnyAtlasEvent, AtlasEvent } from './envelope.ts';
import { deepFreeze } from './freeze.ts';
import type { EventType } from './payloads.ts';
import { isUnreachable, registryStatus, registryUnavailable } from './registry-errors.ts';
import { avroTypeOf, eventSchemaOf, recordNameOf, subjectOf } from './schemas.ts';

/** Confluent wire format header: magic byte 0, then the schema id as a big-endian uint32. */
const HEADER_BYTES = 5;

/**
 * The Avro binary of an event without the wire-format header: needs no registry, so the outbox
 * stores it at staging time and the relay only prepends the schema id (ADR-0023).
 */
export function avroBodyOf(event: AtlasEvent): Buffer {
  return avroTypeOf(event.eventType).toBuffer(event);
}

export interface EventCodecOptions {
  /** Confluent-compatible API root, e.g. `loadStackConfig().schemaRegistry.url`. */
  readonly registryUrl: string;
  /** Retries of the registry client on 5xx answers; defaults to the client's own (3). */
  readonly retries?: number;
}

export interface EncodeOptions {
  /**
   * Skips the format checks (money, currency, UUIDs) for an event `createEvent` already checked,
   * such as an outbox row; Avro's own type checks still run. Half the encoding cost.
   */
  readonly prevalidated?: boolean;
}

/** Turns events into Kafka record values and back (Avro, Confluent wire format). */
export interface EventCodec {
  /**
   * @throws ValidationError when the event does not match its schema.
   * @throws DependencyUnavailableError (retriable) when the registry cannot be reached.
   */
  encode(event: AtlasEvent, options?: EncodeOptions): Promise<Buffer>;
  /**
   * Frames an Avro body made by {@link avroBodyOf} (at staging time, without the registry) with the
   * wire-format header of its event type: the same bytes `encode` returns for that event.
   *
   * @throws DependencyUnavailableError (retriable) when the registry cannot be reached.
   */
  frame(eventType: EventType, body: Buffer): Promise<Buffer>;
  /**
   * @throws MalformedEventError (non-retriable) for bytes that are no Atlas event.
   * @throws DependencyUnavailableError (retriable) when the registry cannot be reached.
   */
  decode(value: Buffer): Promise<AnyAtlasEvent>;
}

const typeByRecordName = new Map<string, EventType>(
  EVENT_TYPES.map((eventType) => [recordNameOf(eventType), eventType]),
);

/**
 * Creates a codec bound to one registry. Schema ids are looked up once per event type (by the
 * schema text under its TopicRecordNameStrategy subject) and cached; schemas must have been
 * registered first (`registerSchemas`).
 *
 * @example
 * const codec = createEventCodec({ registryUrl: loadStackConfig().schemaRegistry.url });
 * await producer.send({ topic: topicOf(event.eventType),
 *   messages: [{ key: event.aggregateId, value: await codec.encode(event) }] });
 */
export function createEventCodec(options: EventCodecOptions): EventCodec {
  const { registryUrl } = options;
  const registry = new SchemaRegistry({
    host: registryUrl,
    ...(options.retries === undefined ? {} : { retry: { retries: options.retries } }),
  });
  const ids = new Map<EventType, Promise<number>>();

  function idOf(eventType: EventType): Promise<number> {
    let id = ids.get(eventType);
    if (id === undefined) {
      const schema = JSON.stringify(eventSchemaOf(eventType));
      id = registry.getRegistryIdBySchema(subjectOf(eventType), {
        type: SchemaType.AVRO,
        schema,
      });
      // A failed lookup must not poison the cache: the next call asks again.
      id.catch(() => ids.delete(eventType));
      ids.set(eventType, id);
    }
    return id;
  }

  async function frame(eventType: EventType, body: Buffer): Promise<Buffer> {
    let id: number;
    try {
      id = await idOf(eventType);
    } catch (error) {
      if (isUnreachable(error)) throw registryUnavailable(registryUrl, error);
      throw new MalformedEventError(
        `${eventType} schema is not registered under ${subjectOf(eventType)}`,
        { cause: error },
      );
    }
    const framed = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    framed.writeUInt8(0, 0);
    framed.writeUInt32BE(id, 1);
    body.copy(framed, HEADER_BYTES);
    return framed;
  }

  async function encode(event: AtlasEvent, encodeOptions?: EncodeOptions): Promise<Buffer> {
    if (!encodeOptions?.prevalidated) assertValidEvent(event);
    return frame(event.eventType, avroBodyOf(event));
  }

  async function writerTypeOf(id: number): Promise<Type> {
    try {
      return (await registry.getSchema(id)) as Type;
    } catch (error) {
      if (isUnreachable(error)) throw registryUnavailable(registryUrl, error);
      throw new MalformedEventError(`Unknown schema id ${id} (${registryStatus(error) ?? '?'})`, {
        cause: error,
      });
    }
  }

  async function decode(value: Buffer): Promise<AnyAtlasEvent> {
    if (value.length <= HEADER_BYTES || value.readUInt8(0) !== 0) {
      throw new MalformedEventError('Not in the Confluent wire format (magic byte 0 + schema id)');
    }
    const writer = await writerTypeOf(value.readUInt32BE(1));
    const eventType = typeByRecordName.get(writer.name ?? '');
    if (eventType === undefined) {
      throw new MalformedEventError(`Schema ${String(writer.name)} is not an Atlas event`);
    }
    let reader: Type;
    try {
      reader = avroTypeOf(eventType);
    } catch (error) {
      // Our own reader schema did not load (a function shipped without its schemas): a fault of
      // this process, not of the event, so it is retried rather than dead-lettered.
      throw new InternalError(`Cannot load the ${eventType} reader schema`, { cause: error });
    }
    let event: unknown;
    try {
      // Read with our own schema: the resolver absorbs any compatible writer version.
      const resolver = reader.equals(writer) ? undefined : reader.createResolver(writer);
      event = reader.fromBuffer(value.subarray(HEADER_BYTES), resolver);
    } catch (error) {
      throw new MalformedEventError(`Undecodable ${eventType} event`, { cause: error });
    }
    // avsc returns instances of generated record classes; callers get plain data.
    const record = JSON.parse(JSON.stringify(event)) as AnyAtlasEvent;
    const claimed: unknown = record.eventType;
    // The envelope must name the record it was written with, or consumers would misroute it.
    if (!isEventType(claimed) || claimed !== eventType) {
      throw new MalformedEventError(
        `Envelope says ${JSON.stringify(claimed)} but the schema is ${eventType}`,
      );
    }
    try {
      assertValidEvent(record);
    } catch (error) {
      throw new MalformedEventError(`Invalid ${eventType} envelope or payload`, { cause: error });
    }
    return deepFreeze(record);
  }

  return { encode, frame, decode };
}
