import definition from './function.json' with { type: 'json' };
import type { AnyAtlasEvent, EventType } from '@atlas/events';
import type { EventFunctionSpec } from '@atlas/messaging';
import { projectEvent, SAGA_EVENT_TYPES } from '@atlas/reporting-domain';

/**
 * The reporting projector: each saga event into the timeline and the orders read model, in the
 * transaction of its inbox row. It emits nothing; reports are the end of the line.
 */
export function projectEventsConsumer(): EventFunctionSpec<EventType> {
  return {
    name: definition.name,
    service: definition.service,
    eventTypes: SAGA_EVENT_TYPES,
    handle: async (tx, event, { logger }) => {
      // The decoded event is one of the union whatever T says; the union lets the switch narrow.
      if (!(await projectEvent(tx, event as AnyAtlasEvent))) {
        logger.info({ eventType: event.eventType }, 'event already in the read models');
      }
    },
  };
}
