import definition from './function.json' with { type: 'json' };
import { functionUrl, type CatalogEntry } from '@atlas/catalog';
import {
  createUpstreamClient,
  declaredRoute,
  json,
  type HttpRouteDependencies,
  type Route,
  type UpstreamCall,
} from '@atlas/http';
import {
  toDeadLetter,
  type DeadLetter,
  type DeadLetterRecord,
  listDeadLetterRecords,
  type DeadLetterSource,
} from '@atlas/messaging/dead-letters';
import type { RedrivenLedger } from '@atlas/messaging/dead-letters';
import {
  REDRIVE_LIMIT,
  accepted,
  deliverToConsumer,
  redriveSelectorSchema,
  replayRequestOf,
  replayTarget,
  selectForRedrive,
} from '@atlas/ops-dead-letters';

/** A progress line every this many deliveries, for redrives that take a while. */
const PROGRESS_EVERY = 50;

export interface RedriveOptions {
  readonly source: DeadLetterSource;
  readonly catalog: readonly CatalogEntry[];
  readonly ledger: RedrivenLedger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Time each consumer may take to answer. Default 30 s, as the KafkaSource waits. */
  readonly timeoutMs?: number;
}

type Outcome = 'would-deliver' | 'delivered' | 'already-redriven' | 'rejected' | 'not-replayable';

interface RedriveItem {
  readonly id: string;
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly consumer: string | null;
  readonly failedAt: string | null;
  /** The aggregate the event is about (the record key): the order id for saga events. */
  readonly orderId: string | null;
  readonly orderStatus?: string | null;
  readonly outcome: Outcome;
  readonly consumerStatus?: number;
  readonly consumerBody?: string;
}

/** The order's status now, as its owner answers it to this caller; null when it knows none. */
async function orderStatusOf(
  send: UpstreamCall,
  ordersUrl: string,
  orderId: string,
  authorization: string | undefined,
): Promise<string | null> {
  try {
    const answer = await send(`${ordersUrl}/v1/orders/${encodeURIComponent(orderId)}`, {
      method: 'GET',
      headers: authorization ? { authorization } : {},
      timeoutMs: 5_000,
    });
    if (answer.status !== 200) return null;
    const body = JSON.parse(answer.body.toString('utf8')) as { status?: unknown };
    return typeof body.status === 'string' ? body.status : null;
  } catch {
    return null;
  }
}

/**
 * `POST /v1/ops/dlq/replay`: bulk redrive. Selects dead letters by consumer, event type, failure
 * time and ids; delivers each once to its consumer, oldest failure first, as the KafkaSource
 * would; skips those a redrive already delivered (so a second redrive changes nothing); reports
 * each one's outcome. `dryRun: true` delivers nothing and answers what would be delivered, with
 * the current status of each order it touches.
 */
export function redriveDeadLettersRoutes(
  dependencies: HttpRouteDependencies,
  options: RedriveOptions,
): Route[] {
  const send = createUpstreamClient();
  const orderGetter = options.catalog.find(
    (entry) => entry.service === 'order' && entry.name === 'get-order',
  );
  const ordersUrl = orderGetter
    ? functionUrl(orderGetter.qualifiedName, orderGetter.port, options.env).replace(/\/$/, '')
    : undefined;

  return declaredRoute(
    definition,
    {
      schemas: { body: redriveSelectorSchema },
      handler: async ({ body, headers, logger }) => {
        const records = new Map<string, DeadLetterRecord>();
        const letters: DeadLetter[] = [];
        for (const record of await listDeadLetterRecords(options.source)) {
          const letter = toDeadLetter(record);
          records.set(letter.id, record);
          letters.push(letter);
        }
        const selected = selectForRedrive(letters, body);
        const done = await options.ledger.redriven(selected.map((letter) => letter.id));
        // What a redrive delivered before is counted, not considered again, so a large selection
        // makes progress call by call instead of meeting its first thousand again.
        const batch = selected.filter((letter) => !done.has(letter.id)).slice(0, REDRIVE_LIMIT);
        const dryRun = body.dryRun === true;
        const items: RedriveItem[] = [];
        let delivered = 0;

        for (const letter of batch) {
          const record = records.get(letter.id);
          const base = {
            id: letter.id,
            eventId: letter.eventId,
            eventType: letter.eventType,
            consumer: letter.consumer,
            failedAt: letter.failedAt,
            orderId: record?.message.key?.toString('utf8') ?? null,
          };
          const request = record ? replayRequestOf(record) : null;
          const target = record ? replayTarget(record, options.catalog, options.env) : null;
          if (!request || target === null) {
            items.push({ ...base, outcome: 'not-replayable' });
          } else if (dryRun) {
            const orderStatus =
              ordersUrl && base.orderId
                ? await orderStatusOf(send, ordersUrl, base.orderId, headers['authorization'])
                : null;
            items.push({ ...base, orderStatus, outcome: 'would-deliver' });
          } else {
            const answer = await deliverToConsumer(
              send,
              target,
              request,
              options.timeoutMs ?? 30_000,
            );
            if (accepted(answer)) {
              await options.ledger.markRedriven(letter.id);
              delivered += 1;
              items.push({ ...base, outcome: 'delivered', consumerStatus: answer.status });
            } else {
              items.push({
                ...base,
                outcome: 'rejected',
                consumerStatus: answer.status,
                consumerBody: answer.body,
              });
            }
            if (items.length % PROGRESS_EVERY === 0)
              logger.info(
                { outcome: 'progress', done: items.length, of: batch.length, delivered },
                'redrive in progress',
              );
          }
        }

        const count = (outcome: Outcome): number =>
          items.filter((item) => item.outcome === outcome).length;
        const summary = {
          dryRun,
          selected: selected.length,
          considered: batch.length,
          truncated: selected.length - done.size > batch.length,
          delivered,
          wouldDeliver: count('would-deliver'),
          alreadyRedriven: done.size,
          rejected: count('rejected'),
          notReplayable: count('not-replayable'),
        };
        logger.info(
          { ...summary, selector: body, outcome: dryRun ? 'dry-run' : 'redriven' },
          'redrive',
        );
        return json(dryRun ? 200 : 202, { ...summary, items });
      },
    },
    dependencies,
  );
}
