import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog, type CatalogEntry } from '@atlas/catalog';
import {
  DLQ_TOPICS,
  EVENT_CATALOG,
  EVENT_TOPICS,
  EVENT_TYPES,
  eventSchemaOf,
  recordNameOf,
  schemaFileOf,
  subjectOf,
  topicOf,
  type AnyAtlasEvent,
  type EventType,
  type RecordSchema,
} from '@atlas/events';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from '@atlas/events/testing';
import { consumersOf } from './event-consumers-doc.ts';

export const EVENT_DOCS = fileURLToPath(new URL('../../docs/events/', import.meta.url));

/** The pages of `docs/events/` that are not an event's own. */
export const OTHER_EVENT_PAGES: readonly string[] = ['README.md', 'outbox-inbox.md'];

interface Production {
  /** Qualified names of the functions that stage the event in their service's outbox. */
  readonly functions: readonly string[];
  readonly when: string;
}

/**
 * Who stages each event, kept by hand: emissions pass through shared saga and store code, so the
 * producing function is not visible in one place. `events-doc.test.ts` checks each claim against
 * the functions' sources. AuditRecorded is derived from the catalog instead (see `producersOf`).
 */
export const PRODUCERS: { readonly [K in Exclude<EventType, 'AuditRecorded'>]: Production } = {
  OrderPlaced: {
    functions: ['order-place-order'],
    when: 'A customer places an order (`POST /v1/orders`), in the transaction that inserts it.',
  },
  OrderConfirmed: {
    functions: ['order-saga-orchestrator'],
    when: 'PaymentSucceeded for an order below the approval threshold, or ApprovalGranted for one that waited for it.',
  },
  OrderCancelled: {
    functions: ['order-saga-orchestrator'],
    when: 'A cancellation is complete: the stock is released (InventoryReleased) and, for an order that was ever reserved, billing is settled (InvoiceVoided).',
  },
  InventoryReleaseRequested: {
    functions: ['order-cancel-order', 'order-saga-orchestrator'],
    when: 'A cancellation starts: the customer cancels (`POST /v1/orders/:orderId/cancel`), or the saga applies PaymentFailed or ApprovalRejected.',
  },
  InvoiceVoidRequested: {
    functions: ['order-cancel-order', 'order-saga-orchestrator'],
    when: 'During a cancellation, once the invoice is known and unpaid: at the start of the cancellation, or when its InvoiceCreated arrives later.',
  },
  PaymentRefundRequested: {
    functions: ['order-cancel-order', 'order-saga-orchestrator'],
    when: 'During a cancellation of a paid order: ApprovalRejected, the customer cancelling while it awaits approval, or a PaymentSucceeded arriving after the cancellation started.',
  },
  InventoryReserved: {
    functions: ['inventory-reservations', 'inventory-receive-stock', 'inventory-set-stock'],
    when: 'OrderPlaced whose every line is available; or a backorder filled, oldest first, when stock becomes available (a receipt, a stock level set, or a release freeing stock).',
  },
  InventoryBackordered: {
    functions: ['inventory-reservations'],
    when: 'OrderPlaced with at least one line short of available stock: the whole order waits.',
  },
  InventoryReleased: {
    functions: ['inventory-reservations'],
    when: "InventoryReleaseRequested: the order's reservation is released, or its backorder dropped, exactly once.",
  },
  StockReceived: {
    functions: ['inventory-receive-stock'],
    when: 'A goods receipt (`POST /v1/inventory/items/:sku/receipts`) adds stock.',
  },
  InvoiceCreated: {
    functions: ['billing-invoicing'],
    when: 'Both OrderPlaced (amount, currency, card token) and InventoryReserved of the order have arrived, whichever came second.',
  },
  PaymentSucceeded: {
    functions: ['billing-payment-webhook'],
    when: "The card provider's signed callback reports a successful charge.",
  },
  PaymentFailed: {
    functions: ['billing-payment-webhook'],
    when: "The card provider's signed callback reports a declined charge.",
  },
  PaymentRefunded: {
    functions: ['billing-invoicing', 'billing-payment-webhook'],
    when: 'PaymentRefundRequested for a paid invoice; or a successful charge reported for an invoice voided while the charge ran, refunded at once.',
  },
  InvoiceVoided: {
    functions: ['billing-invoicing'],
    when: 'InvoiceVoidRequested or PaymentRefundRequested: an open invoice is voided (VOIDED), a paid one refunded first (REFUNDED).',
  },
  ApprovalRequested: {
    functions: ['workflow-request-approval'],
    when: 'PaymentSucceeded for an order at or above the approval threshold that is not being cancelled.',
  },
  ApprovalGranted: {
    functions: ['workflow-approve'],
    when: 'An approver grants the approval (`POST /v1/approvals/:approvalId/approve`).',
  },
  ApprovalRejected: {
    functions: ['workflow-reject'],
    when: 'An approver rejects the approval (`POST /v1/approvals/:approvalId/reject`).',
  },
};

const AUDIT_WHEN =
  'Every command (a route other than GET) of an authenticated caller is audited, in the transaction of its effect when it has one ([ADR-0027](../adr/0027-audit-trail.md), [ADR-0032](../adr/0032-audit-in-the-command-transaction.md)). Only services with an event topic have a relay, so only their functions stage it; reporting and ops commands are audited in the log.';

/**
 * The functions that stage `eventType`. AuditRecorded comes from every command route that
 * `runHttpFunction` audits through the service's outbox: HTTP functions of an event-producing
 * service, with a route other than GET that a token authenticates.
 */
export function producersOf(
  eventType: EventType,
  catalog: readonly CatalogEntry[] = loadCatalog(),
): CatalogEntry[] {
  if (eventType === 'AuditRecorded') {
    return catalog.filter(
      (entry) =>
        entry.trigger.kind === 'http' &&
        Object.hasOwn(EVENT_TOPICS, entry.service) &&
        entry.trigger.routes.some(
          (route) =>
            route.method !== 'GET' &&
            route.permission !== 'public' &&
            route.permission !== 'signature',
        ),
    );
  }
  const named = PRODUCERS[eventType].functions;
  return named.map(
    (name) =>
      catalog.find((entry) => entry.qualifiedName === name) ??
      missing(`${eventType}: no function ${name} in the catalog`),
  );
}

function missing(message: string): never {
  throw new Error(message);
}

const link = (entry: CatalogEntry): string =>
  `[${entry.qualifiedName}](../../functions/${entry.service}/${entry.name})`;
const code = (text: string): string => `\`${text}\``;
const cell = (text: string): string => text.replaceAll('|', '\\|');

interface FieldRow {
  readonly path: string;
  readonly type: string;
  readonly default?: string;
  readonly doc: string;
}

type AvroType = string | readonly AvroType[] | Readonly<Record<string, unknown>>;

const isRecordLike = (type: AvroType): type is Readonly<Record<string, unknown>> =>
  typeof type === 'object' && !Array.isArray(type);

/** The type as one cell reads it; records, arrays of records and enums also list their parts. */
function typeName(type: AvroType): string {
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.map((member: AvroType) => typeName(member)).join(' \\| ');
  if (!isRecordLike(type)) return 'unknown';
  const kind = type['type'];
  if (kind === 'array') return `array of ${typeName(type['items'] as AvroType)}`;
  if (kind === 'record' || kind === 'enum' || kind === 'fixed') {
    const name = type['name'] as string;
    if (kind === 'enum')
      return `enum ${name}: ${(type['symbols'] as string[]).map(code).join(', ')}`;
    return `record ${name}`;
  }
  return typeof kind === 'string' ? kind : typeName(kind as AvroType);
}

/** The record a type holds, directly or as the items of an array (or a union member). */
function nestedRecord(
  type: AvroType,
): { fields: RecordSchema['fields']; suffix: string } | undefined {
  if (Array.isArray(type)) {
    for (const member of type as readonly AvroType[]) {
      const found = nestedRecord(member);
      if (found) return found;
    }
    return undefined;
  }
  if (!isRecordLike(type)) return undefined;
  if (type['type'] === 'record')
    return { fields: type['fields'] as RecordSchema['fields'], suffix: '.' };
  if (type['type'] === 'array') {
    const items = nestedRecord(type['items'] as AvroType);
    return items ? { fields: items.fields, suffix: `[]${items.suffix}` } : undefined;
  }
  return undefined;
}

function fieldRows(fields: RecordSchema['fields'], prefix: string): FieldRow[] {
  return fields.flatMap((field) => {
    const name = `${prefix}${field['name'] as string}`;
    const type = field['type'] as AvroType;
    const row: FieldRow = {
      path: name,
      type: typeName(type),
      ...(Object.hasOwn(field, 'default') ? { default: JSON.stringify(field['default']) } : {}),
      doc: typeof field['doc'] === 'string' ? field['doc'] : '',
    };
    const nested = nestedRecord(type);
    return [row, ...(nested ? fieldRows(nested.fields, `${name}${nested.suffix}`) : [])];
  });
}

function payloadFields(eventType: EventType): RecordSchema['fields'] {
  const payload = eventSchemaOf(eventType).fields.find((field) => field['name'] === 'payload');
  const nested = payload ? nestedRecord(payload['type'] as AvroType) : undefined;
  return nested?.fields ?? missing(`${eventType} has no payload record`);
}

/** Which payload field the catalog keys the event by, and the fallback when that one is null. */
function aggregateKey(eventType: EventType): string {
  const payload = PAYLOAD_FIXTURES[eventType] as unknown as Readonly<Record<string, unknown>>;
  const keyOf = EVENT_CATALOG[eventType].aggregateId as (payload: unknown) => string;
  const fieldEqual = (
    candidate: Readonly<Record<string, unknown>>,
    value: string,
  ): string | undefined => Object.keys(candidate).find((name) => candidate[name] === value);
  const key =
    fieldEqual(payload, keyOf(payload)) ??
    missing(`${eventType}: no payload field is its aggregate id`);
  const field = payloadFields(eventType).find((candidate) => candidate['name'] === key);
  const nullable = Array.isArray(field?.['type']) && (field['type'] as unknown[]).includes('null');
  if (!nullable) return code(`payload.${key}`);
  const withoutKey = { ...payload, [key]: null };
  const fallback = fieldEqual(withoutKey, keyOf(withoutKey));
  return fallback
    ? `${code(`payload.${key}`)} (${code(`payload.${fallback}`)} when null)`
    : code(`payload.${key}`);
}

/** A complete, valid event of the type: the payload fixture of `@atlas/events` in a fixed envelope. */
export function exampleOf(eventType: EventType): AnyAtlasEvent {
  const entry = EVENT_CATALOG[eventType];
  const payload = PAYLOAD_FIXTURES[eventType];
  return {
    eventId: '3f6c2a9e-8b1d-4c7e-9a2f-5d0e1b4c7a93',
    eventType,
    eventVersion: entry.version,
    occurredAt: '2026-11-28T10:15:30.123Z',
    producer: entry.domain,
    correlationId: TEST_CONTEXT.correlationId,
    causationId: TEST_CONTEXT.causationId,
    aggregateType: entry.aggregateType,
    aggregateId: (entry.aggregateId as (payload: unknown) => string)(payload),
    payload,
  } as AnyAtlasEvent;
}

function eventPage(eventType: EventType, catalog: readonly CatalogEntry[]): string {
  const schema = eventSchemaOf(eventType);
  const entry = EVENT_CATALOG[eventType];
  const producers = producersOf(eventType, catalog);
  const consumers = consumersOf(eventType, catalog);
  const when = eventType === 'AuditRecorded' ? AUDIT_WHEN : PRODUCERS[eventType].when;
  const producer =
    eventType === 'AuditRecorded'
      ? 'whichever service ran the command (`order`, `inventory`, `billing`, `workflow`)'
      : code(entry.domain);
  const key = aggregateKey(eventType);
  const rows = fieldRows(payloadFields(eventType), '');
  return [
    `# ${eventType}`,
    '',
    schema.doc ?? '',
    '',
    'Generated from the Avro schema, the event catalog (`shared/events`) and the function catalog by',
    '`infra/docs/events-doc.ts` (`npm run docs:generate`); a test fails while they disagree. All',
    'events: [the event catalog](README.md); how they travel: [outbox and inbox](outbox-inbox.md).',
    '',
    '| property | value |',
    '| --- | --- |',
    `| topic | ${code(topicOf(eventType))} (dead letters: ${code(DLQ_TOPICS[entry.domain])}) |`,
    `| Avro record | ${code(recordNameOf(eventType))}, in [${code(`schemas/${schemaFileOf(eventType)}`)}](../../schemas/${schemaFileOf(eventType)}) |`,
    `| registry subject | ${code(subjectOf(eventType))} |`,
    `| version | ${code(`eventVersion`)} ${entry.version} |`,
    `| aggregate | ${code(entry.aggregateType)}, id ${key}, which is also the Kafka record key |`,
    `| producer (envelope) | ${producer} |`,
    `| producing functions | ${producers.map(link).join(', ')} |`,
    `| consumer functions | ${consumers.map(link).join(', ') || 'none'} |`,
    '',
    '## When it is produced',
    '',
    when,
    '',
    '## Payload',
    '',
    'The event record is the [envelope](README.md#envelope) followed by `payload`, a record of these',
    'fields:',
    '',
    '| field | Avro type | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${code(row.path)} | ${row.type} | ${row.default === undefined ? '' : code(row.default)} | ${cell(row.doc)} |`,
    ),
    '',
    '## Example',
    '',
    '```json',
    JSON.stringify(exampleOf(eventType), null, 2),
    '```',
    '',
  ].join('\n');
}

/** Every event's page of `docs/events/`, by file name. */
export function renderEventDocs(
  catalog: readonly CatalogEntry[] = loadCatalog(),
): Map<string, string> {
  return new Map(
    EVENT_TYPES.map((eventType) => [`${eventType}.md`, eventPage(eventType, catalog)]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, page] of renderEventDocs()) writeFileSync(join(EVENT_DOCS, file), page);
  console.log(`wrote ${EVENT_TYPES.length} pages in docs/events/`);
}
