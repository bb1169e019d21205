import middy, { type MiddlewareObj } from '@middy/core';
import type { z } from 'zod';
import type { Logger, Registry } from '@atlas/observability';
import type { CommandOutcomes } from './command-outcomes.ts';
import { auditOf, type AuditEntityDeclaration, type AuditSink } from './middleware/audit.ts';
import { jsonBody } from './middleware/json-body.ts';
import { observe } from './middleware/observe.ts';
import { validate, type RequestSchemas } from './middleware/validate.ts';
import type { HttpEvent, HttpResult, StageOutcome } from './types.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResult | undefined>;

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** What a handler receives: the event with its parts already validated and typed. */
export type ValidatedEvent<S extends RequestSchemas> = Omit<
  HttpEvent,
  'body' | 'params' | 'query'
> & {
  /**
   * Stages this command's outcome in `tx`, the transaction of its effect, with the answer the
   * handler is about to give: its audit record (ADR-0032) and the answer its Idempotency-Key
   * replays after a crash (ADR-0033). A command that commits an effect calls it inside that
   * transaction; everything else is audited after the answer.
   */
  readonly stageOutcome: StageOutcome;
  readonly body: Infer<S['body']>;
  readonly params: S['params'] extends z.ZodType
    ? z.infer<S['params']>
    : Readonly<Record<string, string>>;
  readonly query: S['query'] extends z.ZodType ? z.infer<S['query']> : HttpEvent['query'];
};

export interface HttpFunctionSpec<S extends RequestSchemas> {
  readonly name: string;
  readonly method: HttpMethod;
  /** `/v1/orders/:orderId`; parameters become `params`. */
  readonly route: string;
  readonly schemas: S;
  /** Verifies the caller and its permission; runs before the body is even parsed, so 401/403 win over 400. */
  readonly authenticate?: HttpMiddleware;
  /** Runs last before the handler, so a rejected request never takes an idempotency key. */
  readonly idempotency?: HttpMiddleware;
  /** What a command is about, for its audit record (its `function.json` declares it). */
  readonly audit?: AuditEntityDeclaration;
  readonly handler: (event: ValidatedEvent<S>) => Promise<HttpResult>;
}

export interface HttpFunctionDependencies {
  readonly logger: Logger;
  readonly registry: Registry;
  /** Where commands (every method but GET) of authenticated callers are audited (ADR-0027); none, none audited. */
  readonly audit?: AuditSink;
  /** Where a command's answer is stored with its effect (ADR-0033); functions with a database. */
  readonly outcomes?: CommandOutcomes;
}

export type HttpEventHandler = (event: HttpEvent) => Promise<HttpResult>;

/**
 * Builds the one middleware chain every HTTP function uses:
 * observe → authenticate → JSON body → validate → idempotency → handler; then, for a command and
 * an audit sink, the audit step on whatever the chain answered.
 */
export function httpFunction<S extends RequestSchemas>(
  spec: HttpFunctionSpec<S>,
  dependencies: HttpFunctionDependencies,
): HttpEventHandler {
  const chain = middy<HttpEvent, HttpResult | undefined>().use(
    observe({
      route: `${spec.method} ${spec.route}`,
      logger: dependencies.logger,
      registry: dependencies.registry,
    }),
  );
  if (spec.authenticate) chain.use(spec.authenticate);
  chain.use(jsonBody()).use(validate(spec.schemas));
  if (spec.idempotency) chain.use(spec.idempotency);
  const audited = spec.method !== 'GET' ? dependencies.audit : undefined;
  const outcomes = spec.method !== 'GET' ? dependencies.outcomes : undefined;
  const handler = chain.handler((event) => {
    if (event.idempotentReplay) return Promise.resolve(event.idempotentReplay);
    const audit = (event as AuditedEvent).audit;
    const stageOutcome: StageOutcome = async (tx, result) => {
      await audit?.stage(tx, result);
      if (event.idempotencyClaim && outcomes)
        await outcomes.stage(tx, event.idempotencyClaim, result);
    };
    return spec.handler({ ...event, stageOutcome } as unknown as ValidatedEvent<S>);
  });
  return async (event) => {
    const audit = audited ? auditOf(spec, audited, event) : undefined;
    if (audit) (event as AuditedEvent).audit = audit;
    if (outcomes) event.commandOutcomes = outcomes;
    const result = await handler(event, {} as never);
    // observe() turns every failure into a problem response, so a missing result is a bug in the chain.
    if (!result) throw new Error(`${spec.name}: the middleware chain produced no response`);
    await audit?.afterAnswer(result);
    return result;
  };
}

/** The event while the chain runs, carrying its command's audit for the handler to stage. */
type AuditedEvent = HttpEvent & { audit?: ReturnType<typeof auditOf> };
