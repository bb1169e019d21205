import { z } from 'zod';
import { EVENT_TYPES } from '@atlas/events/catalog';

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,40}[a-z0-9]$/, 'lower-case letters, digits and dashes');
const SERVICES = [
  'gateway',
  'order',
  'inventory',
  'billing',
  'workflow',
  'reporting',
  'ops',
] as const;

/**
 * What a command is about, for its audit record (ADR-0027): the entity type and where its id is,
 * a route parameter (`:orderId`) or a field of the answer (`response.orderId`, a create); no id
 * for a command about many (a bulk redrive).
 */
const auditEntity = z.strictObject({
  entityType: z.string().regex(/^[a-z][a-z-]*$/),
  id: z
    .string()
    .regex(/^(:[A-Za-z]\w*|response\.[A-Za-z]\w*)$/)
    .optional(),
});

const httpRoute = z
  .strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    path: z.string().startsWith('/'),
    /** A permission of the contract's RBAC matrix, `public` (no token) or `signature` (webhook HMAC). */
    permission: z.string().min(1),
    audit: auditEntity.optional(),
  })
  .refine(
    (route) =>
      route.method === 'GET' ||
      ['public', 'signature', 'authenticated'].includes(route.permission) ||
      route.audit !== undefined,
    { error: 'a command declares the entity its audit record is about (audit)', path: ['audit'] },
  )
  .refine(
    (route) => !route.audit?.id?.startsWith(':') || route.path.split('/').includes(route.audit.id),
    { error: 'the audit id names a parameter the path does not have', path: ['audit', 'id'] },
  );

const trigger = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('http'), routes: z.array(httpRoute).min(1) }),
  /**
   * Delivered as CloudEvents over HTTP, as a Knative KafkaSource does. Only the event types are
   * declared: the topics are theirs (`topicOf`), derived when the catalog is loaded.
   */
  z.strictObject({
    kind: z.literal('kafka'),
    eventTypes: z
      .array(
        z.enum(EVENT_TYPES, { error: 'not an event type of the event catalog (@atlas/events)' }),
      )
      .min(1),
  }),
  /** Always running, not triggered (the outbox relays). */
  z.strictObject({ kind: z.literal('worker') }),
]);

/** The schema of `functions/<service>/<function>/function.json`. */
export const functionDefinitionSchema = z.strictObject({
  name,
  service: z.enum(SERVICES),
  description: z.string().min(10),
  trigger,
  /** The local port (`npm start`); in the cluster every function listens on 8080. */
  port: z.int().min(1024).max(65_535),
  /** The module that starts the function, relative to the function's folder. */
  entry: z.string().regex(/^\.\/[\w./-]+\.ts$/),
});

export type FunctionDefinition = z.infer<typeof functionDefinitionSchema>;
export type Trigger = FunctionDefinition['trigger'];
export type ServiceOfFunction = FunctionDefinition['service'];
