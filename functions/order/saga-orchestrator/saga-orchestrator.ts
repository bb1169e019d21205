import definition from './function.json' with { type: 'json' };
import { NotFoundError, TransitionRefusedError } from '@atlas/errors';
import type { EventFunctionSpec } from '@atlas/messaging';
import { parseCents } from '@atlas/money';
import {
  SAGA_EVENT_TYPES,
  applySagaEvent,
  stageTransition,
  lockOrder,
  refusalOf,
  toSagaState,
  type SagaEvent,
  type SagaEventType,
} from '@atlas/order-domain';

export interface SagaOrchestratorOptions {
  /** `loadSagaConfig().approvalThreshold`: the total from which a paid order waits for approval. */
  readonly approvalThreshold: string;
}

/**
 * The consumer of every saga event: locks the order row, applies the state machine and stages
 * what it decides, in the transaction that also records the event in the inbox.
 */
export function sagaOrchestrator(
  options: SagaOrchestratorOptions,
): EventFunctionSpec<SagaEventType> {
  const thresholdCents = parseCents(options.approvalThreshold);
  return {
    name: definition.name,
    service: definition.service,
    eventTypes: SAGA_EVENT_TYPES,
    handle: async (tx, event, context) => {
      const orderId = event.payload.orderId;
      const locked = await lockOrder(tx, orderId);
      // OrderPlaced commits with its order row and every saga event follows from it, so an event
      // for an unknown order is corrupt or foreign: retrying cannot help, it goes to the dead letters.
      if (!locked) throw new NotFoundError(`${event.eventType} names no known order ${orderId}.`);
      const state = toSagaState(locked);
      // Refused events change nothing and are dead-lettered (422), logged and counted by
      // eventFunction under outcome "rejected": an operator should see them.
      const refusal = refusalOf(state, event as SagaEvent, thresholdCents);
      if (refusal) throw new TransitionRefusedError(refusal);
      const transition = applySagaEvent(state, event as SagaEvent, thresholdCents);
      await stageTransition(tx, locked, transition, (emission) =>
        context.emit(emission.eventType, emission.payload),
      );
      if (transition.emit.length > 0) {
        context.logger.info(
          { orderId, emitted: transition.emit.map((emission) => emission.eventType) },
          'saga step emitted events',
        );
      }
    },
  };
}
