import { counter, histogram, type Registry } from '@atlas/observability';

/** The delivery process's metrics, labelled by the function (the source) they concern. */
export function deliveryMetrics(registry: Registry) {
  return {
    deliveries: counter(
      registry,
      'atlas_delivery_events_total',
      'Events handled by the local KafkaSource, by function and outcome (delivered, dead_lettered, failed; duplicate and duplicate_failed injected by a drill)',
      ['function', 'outcome'],
    ),
    latency: histogram(
      registry,
      'atlas_delivery_duration_seconds',
      'Time from the first delivery attempt to the outcome, retries and dead-lettering included',
      ['function', 'outcome'],
    ),
    retries: counter(
      registry,
      'atlas_delivery_retries_total',
      'Delivery attempts repeated after a retriable failure',
      ['function'],
    ),
    deadLetters: counter(
      registry,
      'atlas_delivery_dead_letters_total',
      'Events written to the dead-letter topic, by reason (rejected, exhausted)',
      ['function', 'reason'],
    ),
  };
}

export type DeliveryMetrics = ReturnType<typeof deliveryMetrics>;
