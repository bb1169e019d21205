import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { EVENT_TYPES } from './catalog.ts';
import type { EventType } from './payloads.ts';
import { isUnreachable, registryUnavailable } from './registry-errors.ts';
import { eventSchemaOf, subjectOf } from './schemas.ts';

export interface RegisterSchemasOptions {
  /** Confluent-compatible API root, e.g. `loadStackConfig().schemaRegistry.url`. */
  readonly registryUrl: string;
  /** Defaults to every event type of the catalog. */
  readonly eventTypes?: readonly EventType[];
}

export interface RegisteredEventSchema {
  readonly eventType: EventType;
  readonly subject: string;
  readonly id: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

async function setBackward(registryUrl: string, subject: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`, {
      method: 'PUT',
      headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
  } catch (error) {
    throw registryUnavailable(registryUrl, error);
  }
  if (!response.ok) {
    const error = new Error(
      `PUT /config/${subject} answered ${response.status}: ${await response.text()}`,
    );
    if (response.status >= 500) throw registryUnavailable(registryUrl, error);
    throw error;
  }
}

/**
 * Registers every event schema under its TopicRecordNameStrategy subject with BACKWARD
 * compatibility. Idempotent: the same schema text gets the same id on every run. An
 * incompatible change is rejected by the registry and thrown.
 *
 * @example
 * const summary = await registerSchemas({ registryUrl: loadStackConfig().schemaRegistry.url });
 */
export async function registerSchemas(
  options: RegisterSchemasOptions,
): Promise<RegisteredEventSchema[]> {
  const { registryUrl, eventTypes = EVENT_TYPES } = options;
  const registry = new SchemaRegistry({ host: registryUrl });
  const registered: RegisteredEventSchema[] = [];
  for (const eventType of eventTypes) {
    const subject = subjectOf(eventType);
    // Apicurio reads an unset subject as NONE (ADR-0019), and the client's register() refuses a
    // level different from the one it asks for, so the level is set before registering.
    await setBackward(registryUrl, subject);
    try {
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(eventSchemaOf(eventType)) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      registered.push({ eventType, subject, id });
    } catch (error) {
      if (isUnreachable(error)) throw registryUnavailable(registryUrl, error);
      throw error;
    }
  }
  return registered;
}
