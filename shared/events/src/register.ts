import { DependencyUnavailableError } from '@atlas/errors';
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
  /**
   * How long one subject may keep failing transiently (connection reset, socket hang up, 5xx)
   * before registration gives up. A registry that has just opened its port can still drop the
   * first requests while it warms up on a busy machine; that must not fail the start.
   */
  readonly patienceMs?: number;
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
  const { registryUrl, eventTypes = EVENT_TYPES, patienceMs = 60_000 } = options;
  const registry = new SchemaRegistry({ host: registryUrl });
  const registered: RegisteredEventSchema[] = [];
  for (const eventType of eventTypes) {
    const subject = subjectOf(eventType);
    const id = await patiently(patienceMs, async () => {
      // Apicurio reads an unset subject as NONE (ADR-0019), and the client's register() refuses a
      // level different from the one it asks for, so the level is set before registering.
      await setBackward(registryUrl, subject);
      try {
        const { id } = await registry.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(eventSchemaOf(eventType)) },
          { subject, compatibility: COMPATIBILITY.BACKWARD },
        );
        return id;
      } catch (error) {
        if (isUnreachable(error)) throw registryUnavailable(registryUrl, error);
        throw error;
      }
    });
    registered.push({ eventType, subject, id });
  }
  return registered;
}

/**
 * Runs `attempt` again while it fails with DependencyUnavailableError, backing off up to 2 s, until
 * `patienceMs` has passed; any other failure (an incompatible schema) is thrown at once. Both
 * calls of an attempt are idempotent, so repeating one that half-succeeded is harmless.
 */
async function patiently<T>(patienceMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + patienceMs;
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 2_000)) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError) || Date.now() + delayMs > deadline)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
