/**
 * How every Kafka-triggered function's events are delivered, defined once: the local KafkaSource
 * (infra/local/kafka-source) and the generated Knative KafkaSources (k8s/generated) both read it.
 *
 * Contract §5 allows at most 5 retries; contract §4 says a consumer or a dependency down for up to
 * 2 minutes dead-letters nothing. Exponential from 8 s meets both: Knative waits 8, 16, 32, 64 and
 * 128 s (248 s in all); the local source draws each wait from the upper half of that step (equal
 * jitter), so even its shortest schedule spans 124 s and its last attempt comes after a
 * 2-minute outage. The price: an event whose consumer keeps failing with 5xx holds its partition
 * for about four minutes before it is dead-lettered. A 4xx verdict dead-letters at once.
 */
export const DELIVERY_POLICY = {
  retries: 5,
  backoffPolicy: 'exponential',
  backoffDelayMs: 8_000,
} as const;

/** `PT8S`: the policy's base delay as the ISO-8601 duration Knative's `delivery.backoffDelay` takes. */
export function isoDuration(milliseconds: number): string {
  return `PT${milliseconds / 1000}S`;
}

/** The longest outage the policy rides out whatever the jitter draws: half of every step, summed. */
export function guaranteedRetryWindowMs(policy = DELIVERY_POLICY): number {
  let total = 0;
  for (let retry = 1; retry <= policy.retries; retry++)
    total += (policy.backoffDelayMs * 2 ** (retry - 1)) / 2;
  return total;
}

/** Days a dead letter is kept on its `atlas.<domain>.dlq.v1` topic, locally and in the cluster. */
export const DEAD_LETTER_RETENTION_DAYS = 90;
export const DEAD_LETTER_RETENTION_MS = DEAD_LETTER_RETENTION_DAYS * 24 * 60 * 60 * 1000;
