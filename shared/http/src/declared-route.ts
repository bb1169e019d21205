import { PERMISSIONS, type Permission } from '@atlas/auth';
import { transaction, type Sql, type TransactionSql } from '@atlas/db';
import {
  httpFunction,
  type HttpMethod,
  type HttpMiddleware,
  type ValidatedEvent,
} from './http-function.ts';
import type { AuditEntityDeclaration } from './middleware/audit.ts';
import { authenticate } from './middleware/authenticate.ts';
import { idempotency } from './middleware/idempotency.ts';
import type { RequestSchemas } from './middleware/validate.ts';
import type { HttpRouteDependencies } from './run-http-function.ts';
import type { Route } from './serve.ts';
import type { HttpResult } from './types.ts';

/** The route of a `function.json`: the one place its method, path and permission are written. */
export interface DeclaredHttpRoute {
  readonly method: string;
  readonly path: string;
  /** A permission of the RBAC matrix, `public` (no token) or `signature` (the spec checks it). */
  readonly permission: string;
  /** What a command is about, for its audit record. */
  readonly audit?: AuditEntityDeclaration;
}

/** The part of a `function.json` an HTTP function's route needs (its JSON import fits). */
export interface HttpDeclaration {
  readonly name: string;
  readonly trigger: { readonly kind: string; readonly routes?: readonly DeclaredHttpRoute[] };
}

interface DeclaredRouteBase<S extends RequestSchemas> {
  readonly schemas: S;
  /** How a `signature` route authenticates its caller; refused for any other permission. */
  readonly authenticate?: HttpMiddleware;
}

/** A query, or a command whose handler keeps its own transactions. */
export interface HandledRouteSpec<S extends RequestSchemas> extends DeclaredRouteBase<S> {
  readonly handler: (event: ValidatedEvent<S>) => Promise<HttpResult>;
}

/**
 * A command that commits an effect: the runtime runs `handler` in one transaction on `sql` and
 * stages the command's outcome — its audit record (ADR-0032) and the answer its Idempotency-Key
 * replays (ADR-0033) — in that transaction, so its key is arbitrated by the database while Redis
 * is down (ADR-0038).
 */
export interface TransactionalRouteSpec<S extends RequestSchemas> extends DeclaredRouteBase<S> {
  readonly transactional: {
    readonly sql: Sql;
    readonly handler: (tx: TransactionSql, event: ValidatedEvent<S>) => Promise<HttpResult>;
  };
}

export type DeclaredRouteSpec<S extends RequestSchemas> =
  HandledRouteSpec<S> | TransactionalRouteSpec<S>;

function handlerOf<S extends RequestSchemas>(
  spec: DeclaredRouteSpec<S>,
): (event: ValidatedEvent<S>) => Promise<HttpResult> {
  if ('handler' in spec) return spec.handler;
  const { sql, handler } = spec.transactional;
  return (event) =>
    transaction(sql, async (tx) => {
      const response = await handler(tx, event);
      await event.stageOutcome(tx, response);
      return response;
    });
}

export class DeclarationError extends Error {
  readonly code = 'ATLAS_DECLARATION_INVALID';
}

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The function's route as its `function.json` declares it (issue 14): method and path from the
 * declaration, the caller's token checked for the declared permission (none for `public`; the
 * spec's own check for `signature`), and every command (any method but GET) idempotent under
 * `<METHOD> <path>` — so nothing a declaration says is written again in code. A `transactional`
 * command's transaction, and its outcome staged in it, are the runtime's too.
 *
 * @throws DeclarationError at start when the declaration is not one route this can serve.
 */
export function declaredRoute<S extends RequestSchemas>(
  declaration: HttpDeclaration,
  spec: DeclaredRouteSpec<S>,
  dependencies: HttpRouteDependencies,
): Route[] {
  const routes = declaration.trigger.routes ?? [];
  const [route] = routes;
  if (!route || routes.length !== 1)
    throw new DeclarationError(
      `${declaration.name}: function.json declares ${String(routes.length)} routes; a function serves one`,
    );
  const method = METHODS.find((candidate) => candidate === route.method);
  if (!method) throw new DeclarationError(`${declaration.name}: unknown method ${route.method}`);
  const { permission } = route;
  let check: HttpMiddleware | undefined;
  if (permission === 'signature') {
    if (!spec.authenticate)
      throw new DeclarationError(`${declaration.name}: a signature route brings its own check`);
    check = spec.authenticate;
  } else if (spec.authenticate) {
    throw new DeclarationError(`${declaration.name}: only a signature route brings its own check`);
  } else if (permission !== 'public') {
    if (!Object.hasOwn(PERMISSIONS, permission))
      throw new DeclarationError(`${declaration.name}: unknown permission ${permission}`);
    check = authenticate(dependencies.verifier, permission as Permission);
  }
  // A signed callback carries the provider's own idempotency key (its callback id), not ours.
  const command = method !== 'GET' && permission !== 'signature';
  if ('transactional' in spec && !command)
    throw new DeclarationError(
      `${declaration.name}: only a command with an Idempotency-Key stages its outcome in a transaction`,
    );
  const handle = httpFunction(
    {
      name: declaration.name,
      method,
      route: route.path,
      schemas: spec.schemas,
      ...(route.audit ? { audit: route.audit } : {}),
      ...(check ? { authenticate: check } : {}),
      ...(command
        ? {
            idempotency: idempotency(
              dependencies.idempotencyStore,
              `${method} ${route.path}`,
              'transactional' in spec ? { outcomesStaged: true } : {},
            ),
          }
        : {}),
      handler: handlerOf(spec),
    },
    dependencies,
  );
  return [{ method, route: route.path, handle }];
}
