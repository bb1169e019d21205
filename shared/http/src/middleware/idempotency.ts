import type { MiddlewareObj } from '@middy/core';
import {
  DependencyUnavailableError,
  IdempotencyKeyReusedError,
  InternalError,
} from '@atlas/errors';
import {
  fingerprintRequest,
  validateIdempotencyKey,
  type IdempotencyStore,
} from '@atlas/idempotency';
import type { HttpEvent, HttpResult } from '../types.ts';

export const REPLAYED_HEADER = 'idempotent-replayed';

const reusedKey = (): IdempotencyKeyReusedError =>
  new IdempotencyKeyReusedError('This Idempotency-Key was used with a different request.');

const replayOf = (response: HttpResult): HttpResult => ({
  status: response.status,
  headers: { ...response.headers, [REPLAYED_HEADER]: 'true' },
  body: response.body,
});

type Claim = Extract<Awaited<ReturnType<IdempotencyStore['begin']>>, { kind: 'new' }>;

export interface IdempotencyOptions {
  /**
   * The command stages its answer with its effect (`stageOutcome`, ADR-0033), so while Redis is
   * unreachable the database can arbitrate its keys alone: a committed key replays, and of two
   * concurrent attempts with one key the second fails on the stored answer's primary key and
   * rolls back. Without it, a Redis outage refuses the command (503).
   */
  readonly outcomesStaged?: boolean;
}

/**
 * Contract §3 idempotency around a command: a required `Idempotency-Key`, scoped to the caller and
 * the route. A completed key replays the stored response (set on `event.idempotentReplay`, which
 * the chain returns instead of running the handler); a failed handler releases the key.
 */
export function idempotency(
  store: IdempotencyStore,
  route: string,
  options: IdempotencyOptions = {},
): MiddlewareObj<HttpEvent, HttpResult | undefined> {
  const claims = new WeakMap<HttpEvent, Claim>();
  return {
    name: 'idempotency',
    before: async ({ event }) => {
      const key = validateIdempotencyKey(event.headers['idempotency-key']);
      if (!event.principal)
        throw new InternalError(
          'idempotency() needs authenticate() before it: keys are scoped per user',
        );
      const claimed = {
        scope: event.principal.subject,
        route,
        key,
        fingerprint: fingerprintRequest({
          method: event.method,
          path: event.path,
          body: event.body ?? null,
        }),
      };
      let outcome: Awaited<ReturnType<IdempotencyStore['begin']>>;
      try {
        outcome = await store.begin(claimed);
      } catch (error) {
        if (
          !(error instanceof DependencyUnavailableError) ||
          !options.outcomesStaged ||
          !event.commandOutcomes
        )
          throw error;
        // Redis is away: the answer stored with the effect decides alone (ADR-0038).
        event.logger.warn(
          { err: error, outcome: 'degraded' },
          'Redis unreachable: the database arbitrates this Idempotency-Key',
        );
        const committed = await event.commandOutcomes.find(claimed);
        if (committed) {
          if (committed.fingerprint !== claimed.fingerprint) throw reusedKey();
          event.idempotentReplay = replayOf(committed.response);
          return;
        }
        event.idempotencyClaim = claimed;
        return;
      }
      if (outcome.kind === 'replay') {
        event.idempotentReplay = replayOf(outcome.response);
        return;
      }
      // Redis has no answer, but a first attempt may have committed and died before telling
      // Redis (or Redis lost it): the answer stored with the effect decides (ADR-0033).
      const committed = await event.commandOutcomes?.find(claimed);
      if (committed) {
        if (committed.fingerprint !== claimed.fingerprint) {
          await outcome.abandon();
          throw reusedKey();
        }
        await outcome.complete(committed.response);
        event.idempotentReplay = replayOf(committed.response);
        return;
      }
      event.idempotencyClaim = claimed;
      claims.set(event, outcome);
    },
    after: async (request) => {
      const claim = claims.get(request.event);
      if (!claim || !request.response) return;
      try {
        await claim.complete(request.response);
      } catch (error) {
        // The command has run; failing its response now would invite a retry that runs it twice.
        // The key stays IN_PROGRESS until its short expiry, answering 409 to a retry meanwhile.
        request.event.logger.error({ err: error }, 'could not store the idempotent response');
      }
    },
    onError: async (request) => {
      const claim = claims.get(request.event);
      if (!claim) return;
      // A failed command leaves no key behind, so the client may retry it (Powertools' rule).
      await claim.abandon().catch((error: unknown) => {
        request.event.logger.error({ err: error }, 'could not release the idempotency key');
      });
    },
  };
}
