import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@atlas/config';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { EVENT_CATALOG, topicOf } from './catalog.ts';
import type { EventType } from './payloads.ts';

/** Avro record schema as it sits in an `.avsc` file. */
export interface RecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields: readonly Readonly<Record<string, unknown>>[];
}

/** Top-level `schemas/` folder of the repository, where the `.avsc` files live. */
export const SCHEMA_ROOT = `${join(repoRoot(), 'schemas')}/`;

function readSchema(relativePath: string): RecordSchema {
  return JSON.parse(readFileSync(`${SCHEMA_ROOT}${relativePath}`, 'utf8')) as RecordSchema;
}

/** `schemas/` path of an event type's file, e.g. `order/OrderPlaced.avsc`. */
export function schemaFileOf(eventType: EventType): string {
  return `${EVENT_CATALOG[eventType].domain}/${eventType}.avsc`;
}

/** Fully qualified Avro record name, e.g. `dev.atlas.order.OrderPlaced`. */
export function recordNameOf(eventType: EventType): string {
  return `dev.atlas.${EVENT_CATALOG[eventType].domain}.${eventType}`;
}

/** Registry subject under the TopicRecordNameStrategy: `<topic>-<fully.qualified.RecordName>`. */
export function subjectOf(eventType: EventType): string {
  return `${topicOf(eventType)}-${recordNameOf(eventType)}`;
}

let envelopeFields: RecordSchema['fields'] | undefined;
const composed = new Map<EventType, RecordSchema>();
const types = new Map<EventType, Type>();

/**
 * The full event schema that is registered: the envelope's fields (defined once in
 * `schemas/envelope.avsc`) followed by the event file's own `payload` field.
 */
export function eventSchemaOf(eventType: EventType): RecordSchema {
  let schema = composed.get(eventType);
  if (schema === undefined) {
    envelopeFields ??= readSchema('envelope.avsc').fields;
    const own = readSchema(schemaFileOf(eventType));
    schema = { ...own, fields: [...envelopeFields, ...own.fields] };
    composed.set(eventType, schema);
  }
  return schema;
}

/** The parsed Avro type of an event (cached). */
export function avroTypeOf(eventType: EventType): Type {
  let type = types.get(eventType);
  if (type === undefined) {
    type = avro.Type.forSchema(eventSchemaOf(eventType) as unknown as Schema);
    types.set(eventType, type);
  }
  return type;
}
