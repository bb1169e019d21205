import definition from './function.json' with { type: 'json' };
import { z } from 'zod';
import type { CatalogEntry } from '@atlas/catalog';
import { ConflictError, NotFoundError, PROBLEM_CONTENT_TYPE, toProblem } from '@atlas/errors';
import { createUpstreamClient, declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import {
  findDeadLetterRecord,
  kafkaHeaderText,
  type DeadLetterSource,
} from '@atlas/messaging/dead-letters';
import {
  accepted,
  deliverToConsumer,
  replayRequestOf,
  replayTarget,
} from '@atlas/ops-dead-letters';
import { ReplayRejectedError } from '@atlas/errors';

const paramsSchema = z.strictObject({ id: z.string().min(1).max(100) });

export interface ReplayOptions {
  readonly source: DeadLetterSource;
  readonly catalog: readonly CatalogEntry[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Time the consumer may take to answer. Default 30 s, as the KafkaSource waits. */
  readonly timeoutMs?: number;
}

/**
 * `POST /v1/ops/dlq/:id/replay`: sends one dead letter to its consumer again, once, as the
 * KafkaSource would. The consumer's inbox makes a second replay of an applied event harmless.
 */
export function replayDeadLetterRoutes(
  dependencies: HttpRouteDependencies,
  options: ReplayOptions,
): Route[] {
  const send = createUpstreamClient();
  return declaredRoute(
    definition,
    {
      schemas: { params: paramsSchema },
      handler: async ({ params, logger, url, correlationId }) => {
        const record = await findDeadLetterRecord(options.source, params.id);
        if (!record) throw new NotFoundError(`No dead letter ${params.id}.`);
        const request = replayRequestOf(record);
        if (!request)
          throw new ConflictError(`${params.id} is no CloudEvent record; it cannot be replayed.`);
        const target = replayTarget(record, options.catalog, options.env);
        if (target === null)
          throw new ConflictError(`${params.id} names no consumer known to the catalog.`);

        const replayed = {
          id: params.id,
          eventId: kafkaHeaderText(record.message.headers, 'ce_id'),
          eventType: kafkaHeaderText(record.message.headers, 'ce_type'),
          consumer: kafkaHeaderText(record.message.headers, 'atlas_dlq_consumer'),
        };
        const answer = await deliverToConsumer(send, target, request, options.timeoutMs ?? 30_000);
        logger.info({ ...replayed, consumerStatus: answer.status }, 'dead letter replayed');
        if (accepted(answer)) {
          return json(202, { ...replayed, status: 'REPLAYED', consumerStatus: answer.status });
        }
        // Returned, not thrown: the replay did reach out, so the answer is this key's answer (a
        // retry takes a new key), and the operator needs the consumer's status and problem.
        const problem = toProblem(new ReplayRejectedError('replay rejected'), {
          instance: url,
          correlationId,
        });
        return json(
          502,
          {
            ...problem,
            detail: `${replayed.consumer ?? 'The consumer'} answered ${answer.status || 'nothing'}; the dead letter stays in the DLQ.`,
            consumerStatus: answer.status,
            consumerBody: answer.body,
          },
          { 'content-type': PROBLEM_CONTENT_TYPE },
        );
      },
    },
    dependencies,
  );
}
