import { loadStackConfig } from '@atlas/config';
import { ORDER_STATUSES } from '@atlas/order-domain';
import { APPROVAL_STATUSES, type ApprovalView } from '@atlas/workflow-domain';
import { setTimeout as sleep } from 'node:timers/promises';
import { intOption, listOption, stringOption, type Invocation } from './args.ts';
import { CliError, EXIT, UsageError, type ExitCode } from './exit.ts';
import {
  gateway,
  HttpProblem,
  query,
  reach,
  segment,
  type Answer,
  type GatewayClient,
} from './http.ts';
import {
  formatDuration,
  formatOffset,
  Progress,
  renderFields,
  renderTable,
  type Style,
  type Writable,
} from './output.ts';
import { login, removeToken, resolvePassword, tokenFile, writeToken } from './session.ts';
import { orderSpans, type OrderSpans, type ZipkinSpan } from './spans.ts';
import {
  buildTrace,
  SETTLED,
  type Delivery,
  type OrderSummary,
  type StuckOrder,
  type TimelineEvent,
  type Trace,
} from './trace.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface Context {
  readonly invocation: Invocation;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Env;
  readonly style: Style;
  /** The gateway client, made on first use (commands that need no login never read the token). */
  readonly gateway: () => GatewayClient;
  /** Resolves when the user interrupts (Ctrl-C): long-running commands stop at their next step. */
  readonly interrupted: Promise<void>;
}

export type Handler = (context: Context) => Promise<ExitCode>;

interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

// ---------------------------------------------------------------------------------------------
// output helpers

function print(context: Context, text: string): void {
  context.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function printJson(context: Context, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One JSON document with `--json`, else what `human` renders. */
function emit(context: Context, value: unknown, human: () => string): void {
  if (context.invocation.json) printJson(context, value);
  else print(context, human());
}

function table(
  context: Context,
  columns: Parameters<typeof renderTable>[0],
  rows: Parameters<typeof renderTable>[1],
): string {
  return renderTable(columns, rows, { header: context.style.bold });
}

function pageFooter(page: Page<unknown>, noun: string): string {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  return `page ${page.page} of ${pages} · ${page.total} ${noun}`;
}

function colourStatus(context: Context, status: string): string {
  const { green, red, yellow } = context.style;
  if (status === 'CONFIRMED' || status === 'GRANTED') return green(status);
  if (status === 'CANCELLED' || status === 'REJECTED') return red(status);
  return yellow(status);
}

const short = (id: string | null | undefined): string => (id ? id.slice(0, 8) : '-');

function oneOf(
  value: string | undefined,
  allowed: readonly string[],
  what: string,
): string | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (!allowed.includes(upper))
    throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got ${value}`);
  return upper;
}

function paging(context: Context): { page?: number; pageSize?: number } {
  const { values } = context.invocation;
  const page = intOption(values['page'], '--page');
  const pageSize = intOption(values['page-size'], '--page-size', { max: 100 });
  return { ...(page ? { page } : {}), ...(pageSize ? { pageSize } : {}) };
}

function positional(context: Context, index: number): string {
  return context.invocation.positionals[index] ?? '';
}

/** For commands: what the server answered, with the Idempotency-Key that was sent. */
function emitCommand(context: Context, answer: Answer, human: () => string): void {
  emit(
    context,
    {
      idempotencyKey: answer.idempotencyKey ?? null,
      replayed: answer.replayed,
      status: answer.status,
      result: answer.body ?? null,
    },
    () =>
      [
        human(),
        context.style.dim(
          `Idempotency-Key: ${answer.idempotencyKey ?? '-'}${answer.replayed ? ' (replayed: the first answer to this key)' : ''}`,
        ),
      ].join('\n'),
  );
}

function idempotencyKey(context: Context): { idempotencyKey?: string } {
  const key = stringOption(context.invocation.values, 'idempotency-key');
  return key === undefined ? {} : { idempotencyKey: key };
}

/** Runs `work` with a spinner on stderr (a terminal only) showing `message()` and the time. */
async function withProgress<T>(
  context: Context,
  message: () => string,
  work: () => Promise<T>,
): Promise<T> {
  const progress = new Progress(context.stderr);
  if (!progress.enabled) return work();
  const began = Date.now();
  const tick = (): void => {
    progress.update(`${message()} (${formatDuration((Date.now() - began) / 1000)})`);
  };
  tick();
  const timer = setInterval(tick, 100);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    progress.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// login, logout

function rolesOf(accessToken: string): string[] {
  try {
    const payload = JSON.parse(
      Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { realm_access?: { roles?: unknown } };
    const roles = payload.realm_access?.roles;
    return Array.isArray(roles)
      ? roles.filter((role): role is string => typeof role === 'string' && /^[A-Z]/.test(role))
      : [];
  } catch {
    return [];
  }
}

const loginCommand: Handler = async (context) => {
  const { values } = context.invocation;
  const user = stringOption(values, 'user') ?? 'ops';
  const { password, source } = await resolvePassword(
    user,
    stringOption(values, 'password'),
    context.env,
  );
  const token = await login(user, password, context.env);
  const file = writeToken(token, context.env);
  const roles = rolesOf(token.accessToken);
  emit(
    context,
    { user, issuer: token.issuer, roles, expiresAt: token.expiresAt, tokenFile: file },
    () =>
      [
        `logged in as ${user}${roles.length > 0 ? ` (${roles.join(', ')})` : ''} until ${token.expiresAt}`,
        context.style.dim(`password from ${source}; token cached in ${file}`),
      ].join('\n'),
  );
  return EXIT.ok;
};

const logoutCommand: Handler = async (context) => {
  const removed = removeToken(context.env);
  emit(context, { loggedOut: removed, tokenFile: tokenFile(context.env) }, () =>
    removed ? 'logged out' : 'was not logged in',
  );
  return EXIT.ok;
};

// ---------------------------------------------------------------------------------------------
// orders

interface Order extends OrderSummary {
  readonly customerId: string;
  readonly currency: string;
  readonly total: string;
  readonly lines: readonly { sku: string; quantity: number; unitPrice: string }[];
  readonly invoiceId?: string;
  readonly approvalId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const ordersList: Handler = async (context) => {
  const { values } = context.invocation;
  const status = oneOf(stringOption(values, 'status'), ORDER_STATUSES, '--status');
  const answer = await context
    .gateway()
    .request<Page<Order>>(
      'GET',
      `/v1/orders${query({ ...paging(context), status, customerId: stringOption(values, 'customer') })}`,
    );
  const page = answer.body;
  emit(context, page, () =>
    [
      table(
        context,
        ['ORDER', 'STATUS', 'CUSTOMER', { header: 'TOTAL', align: 'right' }, 'CREATED'],
        page.items.map((order) => [
          order.orderId,
          colourStatus(context, order.status),
          order.customerId,
          `${order.total} ${order.currency}`,
          order.createdAt,
        ]),
      ),
      context.style.dim(pageFooter(page, 'orders')),
    ].join('\n'),
  );
  return EXIT.ok;
};

const ordersShow: Handler = async (context) => {
  const orderId = positional(context, 0);
  const { body: order } = await context
    .gateway()
    .request<Order>('GET', `/v1/orders/${segment(orderId)}`);
  emit(context, order, () =>
    [
      renderFields([
        ['order', order.orderId],
        ['status', colourStatus(context, order.status)],
        ['cancellation', order.cancellationReason],
        ['customer', order.customerId],
        ['total', `${order.total} ${order.currency}`],
        ['invoice', order.invoiceId],
        ['approval', order.approvalId],
        ['created', order.createdAt],
        ['updated', order.updatedAt],
      ]),
      '',
      table(
        context,
        ['SKU', { header: 'QTY', align: 'right' }, { header: 'UNIT PRICE', align: 'right' }],
        order.lines.map((line) => [line.sku, line.quantity, line.unitPrice]),
      ),
    ].join('\n'),
  );
  return EXIT.ok;
};

// ---------------------------------------------------------------------------------------------
// trace

/** Pages through the stuck orders (every unsettled one, 1 s old or more) for this order. */
async function findStuck(client: GatewayClient, orderId: string): Promise<StuckOrder | undefined> {
  for (let page = 1; page <= 50; page += 1) {
    const { body } = await client.request<Page<StuckOrder>>(
      'GET',
      `/v1/ops/stuck-orders${query({ olderThanSeconds: 1, includeWaiting: true, pageSize: 100, page })}`,
    );
    const found = body.items.find((item) => item.orderId === orderId);
    if (found) return found;
    if (page * body.pageSize >= body.total || body.items.length === 0) return undefined;
  }
  return undefined;
}

/** A week: the in-memory trace backend forgets older spans long before that. */
const TRACE_LOOKBACK_MS = 7 * 24 * 3600 * 1000;

/**
 * The order's traces from the trace backend: every trace holding a span tagged with the order as
 * its aggregate (the relay's publish spans and the consumers' spans are).
 */
async function findOrderSpans(
  traceBackend: string,
  orderId: string,
): Promise<{ found: OrderSpans; traceUrl: (traceId: string) => string }> {
  const search = query({
    annotationQuery: `atlas.aggregate_id=${orderId}`,
    lookback: TRACE_LOOKBACK_MS,
    endTs: Date.now(),
    limit: 20,
  });
  const response = await reach(
    `${traceBackend}/api/v2/traces${search}`,
    { signal: AbortSignal.timeout(5_000) },
    'the trace backend',
  );
  if (!response.ok) throw new Error(`the trace backend answered ${response.status}`);
  const traces = (await response.json()) as ZipkinSpan[][];
  return {
    found: orderSpans(traces),
    traceUrl: (traceId) => `${traceBackend}/zipkin/traces/${traceId}`,
  };
}

export async function collectTrace(
  client: GatewayClient,
  orderId: string,
  traceBackend?: string,
): Promise<Trace> {
  const { body: order } = await client.request<Order>('GET', `/v1/orders/${segment(orderId)}`);
  const notes: string[] = [];
  let spans: Awaited<ReturnType<typeof findOrderSpans>> | undefined;
  if (traceBackend) {
    try {
      spans = await findOrderSpans(traceBackend, order.orderId);
      if (spans.found.traceIds.length === 0)
        notes.push(
          'the trace backend holds no span of this order (tracing off when it ran, sampled out, or forgotten)',
        );
    } catch (error) {
      notes.push(
        `no deliveries or trace id: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  let timeline: TimelineEvent[] = [];
  try {
    const { body } = await client.request<{ items: TimelineEvent[] }>(
      'GET',
      `/v1/reports/orders/${segment(orderId)}/timeline`,
    );
    timeline = body.items;
  } catch (error) {
    if (!(error instanceof HttpProblem) || error.status !== 404) throw error;
    notes.push('no event of this order is projected yet (reporting is eventually consistent)');
  }
  let stuck: StuckOrder | undefined;
  if (!SETTLED.has(order.status)) {
    try {
      stuck = await findStuck(client, order.orderId);
    } catch (error) {
      if (!(error instanceof HttpProblem) || error.status !== 403) throw error;
      notes.push(
        'waitingOn is inferred from the status and dead letters are not shown: the stuck-orders view needs ops:operate',
      );
    }
  }
  return buildTrace({ order, timeline, stuck, notes, ...(spans ? { spans } : {}) });
}

function deliveriesText(context: Context, deliveries: readonly Delivery[]): string {
  const { red, yellow } = context.style;
  const parts: string[] = [];
  const delivered = deliveries.filter((delivery) => delivery.outcome === 'delivered');
  if (delivered.length > 0) {
    const slowest = Math.max(
      ...delivered.map((delivery) => ('latencyMs' in delivery ? (delivery.latencyMs ?? 0) : 0)),
    );
    const retried = delivered.filter(
      (delivery) => 'attempts' in delivery && (delivery.attempts ?? 1) > 1,
    );
    const repeated = delivered.filter(
      (delivery) => 'inbox' in delivery && delivery.inbox === 'duplicate',
    ).length;
    parts.push(
      `${delivered.length} delivered (slowest ${slowest} ms${repeated > 0 ? `; ${repeated} duplicate` : ''})`,
    );
    for (const delivery of retried)
      if ('attempts' in delivery)
        parts.push(yellow(`${delivery.consumer} after ${delivery.attempts ?? '?'} attempts`));
  }
  for (const delivery of deliveries) {
    if ('deadLetterId' in delivery)
      parts.push(red(`dead-lettered by ${delivery.consumer ?? '?'} (${delivery.deadLetterId})`));
    else if (delivery.outcome !== 'delivered')
      parts.push(red(`${delivery.outcome} at ${delivery.consumer}`));
  }
  return parts.join('; ');
}

function causeText(context: Context, event: Trace['events'][number]): string {
  switch (event.causedBy) {
    case 'event':
      return `${event.causeEventType ?? '?'} ${short(event.causationId)}`;
    case 'request':
      return `request ${short(event.causationId)}`;
    case 'callback':
      return `card callback ${event.causationId.slice(0, 12)}`;
    default:
      return context.style.red(`? ${short(event.causationId)}`);
  }
}

export function renderTrace(context: Context, trace: Trace): string {
  const { bold, dim, yellow } = context.style;
  const waiting = trace.waitingOn
    ? `${trace.waitingOn.service}: ${trace.waitingOn.step} since ${trace.waitingOn.since} (${formatDuration(trace.waitingOn.forSeconds)}${trace.waitingOn.legitimate ? ', a wait the contract allows' : ''})`
    : SETTLED.has(trace.status)
      ? 'nothing (settled)'
      : null;
  const lines = [
    renderFields([
      ['order', bold(trace.orderId)],
      [
        'status',
        `${colourStatus(context, trace.status)}${trace.cancellationReason ? ` (${trace.cancellationReason})` : ''}`,
      ],
      ['correlation', trace.correlationId],
      ['trace', trace.traceUrl ?? trace.traceId ?? dim('-')],
      ['waiting on', waiting],
    ]),
    '',
    trace.events.length === 0
      ? dim('no events')
      : table(
          context,
          [
            { header: 'AFTER', align: 'right' },
            'EVENT',
            'PRODUCER',
            'OCCURRED AT',
            'EVENT',
            'CAUSED BY',
            { header: 'OUTBOX', align: 'right' },
            'DELIVERIES',
          ],
          trace.events.map((event) => [
            formatOffset(event.offsetMs),
            event.eventType,
            event.producer,
            event.occurredAt,
            short(event.eventId),
            causeText(context, event),
            event.outbox?.outboxWaitMs === undefined || event.outbox.outboxWaitMs === null
              ? ''
              : `${String(event.outbox.outboxWaitMs)} ms`,
            deliveriesText(context, event.deliveries),
          ]),
        ),
  ];
  if (trace.deadLetters.length > 0) {
    lines.push('', bold('dead letters holding it:'));
    lines.push(
      table(
        context,
        ['ID', 'EVENT', 'CONSUMER', 'FAILED AT', 'ERROR'],
        trace.deadLetters.map((letter) => [
          letter.id,
          letter.eventType,
          letter.consumer,
          letter.failedAt,
          letter.errorCode,
        ]),
      ),
      dim(`redrive: atlas dlq replay <id>, or atlas dlq redrive --consumer <consumer>`),
    );
  }
  lines.push('', trace.gaps.length === 0 ? 'gaps: none' : bold('gaps:'));
  for (const gap of trace.gaps) lines.push(`  ${yellow('!')} ${gap.message}`);
  for (const note of trace.notes) lines.push(dim(`note: ${note}`));
  return lines.join('\n');
}

const traceCommand: Handler = async (context) => {
  const trace = await collectTrace(
    context.gateway(),
    positional(context, 0),
    loadStackConfig(context.env).zipkin.url,
  );
  emit(context, trace, () => renderTrace(context, trace));
  return EXIT.ok;
};

// ---------------------------------------------------------------------------------------------
// stuck, dlq

const stuckCommand: Handler = async (context) => {
  const { values } = context.invocation;
  const olderThanSeconds = intOption(values['older-than'], '--older-than', {
    max: 2_592_000,
    fallback: 300,
  });
  const answer = await context.gateway().request<Page<StuckOrder>>(
    'GET',
    `/v1/ops/stuck-orders${query({
      ...paging(context),
      olderThanSeconds,
      includeWaiting: values['include-waiting'] === true ? true : undefined,
    })}`,
  );
  const page = answer.body;
  emit(context, page, () =>
    page.items.length === 0
      ? `no order unsettled for ${formatDuration(olderThanSeconds ?? 300)} or more`
      : [
          table(
            context,
            ['ORDER', 'STATUS', { header: 'FOR', align: 'right' }, 'WAITING ON', 'DEAD LETTERS'],
            page.items.map((order) => [
              order.orderId,
              colourStatus(context, order.status),
              formatDuration(order.stuckForSeconds),
              `${order.waitingOn.service}: ${order.waitingOn.step}`,
              order.deadLetters
                .map((letter) => `${letter.id} (${letter.consumer ?? '?'})`)
                .join(', '),
            ]),
          ),
          context.style.dim(pageFooter(page, 'stuck orders')),
        ].join('\n'),
  );
  return EXIT.ok;
};

interface DeadLetter {
  readonly id: string;
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly consumer: string | null;
  readonly attempts: number | null;
  readonly failedAt: string | null;
  readonly error: { readonly code: number | null; readonly body: string | null } | null;
}

const dlqList: Handler = async (context) => {
  const answer = await context
    .gateway()
    .request<Page<DeadLetter>>(
      'GET',
      `/v1/ops/dlq${query({ ...paging(context), consumer: stringOption(context.invocation.values, 'consumer') })}`,
    );
  const page = answer.body;
  emit(context, page, () =>
    page.items.length === 0
      ? 'no dead letters'
      : [
          table(
            context,
            [
              'ID',
              'EVENT',
              'CONSUMER',
              { header: 'ATTEMPTS', align: 'right' },
              'FAILED AT',
              'ERROR',
            ],
            page.items.map((letter) => [
              letter.id,
              letter.eventType,
              letter.consumer,
              letter.attempts,
              letter.failedAt,
              letter.error?.code ?? null,
            ]),
          ),
          context.style.dim(pageFooter(page, 'dead letters')),
        ].join('\n'),
  );
  return EXIT.ok;
};

const dlqReplay: Handler = async (context) => {
  const id = positional(context, 0);
  const answer = await context
    .gateway()
    .request<{ eventType?: string; consumer?: string; consumerStatus?: number }>(
      'POST',
      `/v1/ops/dlq/${segment(id)}/replay`,
      idempotencyKey(context),
    );
  emitCommand(
    context,
    answer,
    () =>
      `replayed ${id} (${answer.body.eventType ?? '?'}) to ${answer.body.consumer ?? '?'}: it answered ${answer.body.consumerStatus ?? '?'}`,
  );
  return EXIT.ok;
};

interface RedriveItem {
  readonly id: string;
  readonly eventType: string | null;
  readonly consumer: string | null;
  readonly orderId: string | null;
  readonly orderStatus?: string | null;
  readonly outcome: string;
  readonly consumerStatus?: number;
}

interface RedriveAnswer {
  readonly dryRun: boolean;
  readonly selected: number;
  readonly considered: number;
  readonly truncated: boolean;
  readonly delivered: number;
  readonly wouldDeliver: number;
  readonly alreadyRedriven: number;
  readonly rejected: number;
  readonly notReplayable: number;
  readonly items: readonly RedriveItem[];
}

const dlqRedrive: Handler = async (context) => {
  const { values } = context.invocation;
  const consumer = stringOption(values, 'consumer');
  if (!consumer) throw new UsageError('atlas dlq redrive needs --consumer X');
  const from = stringOption(values, 'from');
  const to = stringOption(values, 'to');
  for (const [name, value] of [
    ['--from', from],
    ['--to', to],
  ] as const)
    if (value !== undefined && Number.isNaN(Date.parse(value)))
      throw new UsageError(`${name} must be an ISO-8601 time, got ${value}`);
  const dryRun = values['dry-run'] === true;
  const selector = {
    consumer,
    ...(stringOption(values, 'event-type')
      ? { eventType: stringOption(values, 'event-type') }
      : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(dryRun ? { dryRun: true } : {}),
  };
  const client = context.gateway();
  const keys: string[] = [];
  const items: RedriveItem[] = [];
  let first: RedriveAnswer | undefined;
  let last: RedriveAnswer | undefined;
  let delivered = 0;
  const state = { stopped: false };
  void context.interrupted.then(() => {
    state.stopped = true;
  });
  await withProgress(
    context,
    () =>
      `${dryRun ? 'selecting' : 'redriving'} ${consumer}: call ${keys.length}, ${delivered} delivered`,
    async () => {
      for (let call = 0; call < 100 && !state.stopped; call += 1) {
        const answer = await client.request<RedriveAnswer>('POST', '/v1/ops/dlq/replay', {
          body: selector,
          ...(call === 0 ? idempotencyKey(context) : {}),
          timeoutMs: 30 * 60_000,
        });
        if (answer.idempotencyKey) keys.push(answer.idempotencyKey);
        last = answer.body;
        first ??= answer.body;
        items.push(...last.items);
        delivered += last.delivered;
        // Only what was delivered leaves the selection: stop when a call delivered nothing.
        if (dryRun || !last.truncated || last.delivered === 0) break;
      }
    },
  );
  const count = (outcome: string): number =>
    items.filter((item) => item.outcome === outcome).length;
  const summary = {
    dryRun,
    calls: keys.length,
    idempotencyKeys: keys,
    selected: last?.selected ?? 0,
    truncated: last?.truncated ?? false,
    delivered,
    wouldDeliver: count('would-deliver'),
    // Those a redrive delivered before this command ran (later calls count this one's too).
    alreadyRedriven: first?.alreadyRedriven ?? 0,
    rejected: count('rejected'),
    notReplayable: count('not-replayable'),
    items,
  };
  emit(context, summary, () =>
    [
      items.length === 0
        ? 'nothing to redrive'
        : table(
            context,
            ['ID', 'EVENT', 'CONSUMER', 'ORDER', ...(dryRun ? ['ORDER STATUS'] : []), 'OUTCOME'],
            items.map((item) => [
              item.id,
              item.eventType,
              item.consumer,
              item.orderId,
              ...(dryRun ? [item.orderStatus ?? null] : []),
              item.outcome === 'rejected' || item.outcome === 'not-replayable'
                ? context.style.red(
                    `${item.outcome}${item.consumerStatus ? ` (${item.consumerStatus})` : ''}`,
                  )
                : item.outcome,
            ]),
          ),
      '',
      dryRun
        ? `dry run: ${summary.wouldDeliver} would be delivered, ${summary.alreadyRedriven} already redriven, ${summary.notReplayable} not replayable`
        : `${delivered} delivered, ${summary.rejected} rejected, ${summary.notReplayable} not replayable, ${summary.alreadyRedriven} already redriven${summary.truncated ? ' (more remain: run again)' : ''}`,
      context.style.dim(`Idempotency-Key: ${keys.join(', ')}`),
    ].join('\n'),
  );
  return summary.rejected > 0 || summary.notReplayable > 0 ? EXIT.problems : EXIT.ok;
};

// ---------------------------------------------------------------------------------------------
// lag

interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

export interface GroupLag {
  readonly group: string;
  readonly lag: number;
  readonly topics: readonly string[];
  readonly partitions: readonly Omit<PartitionLag, 'group'>[];
}

/** Per group: the sum over its partitions; most behind first, then by name. */
export function sumLag(rows: readonly PartitionLag[]): GroupLag[] {
  const groups = new Map<string, PartitionLag[]>();
  for (const row of rows) groups.set(row.group, [...(groups.get(row.group) ?? []), row]);
  return [...groups]
    .map(([group, partitions]) => ({
      group,
      lag: partitions.reduce((sum, row) => sum + row.lag, 0),
      topics: [...new Set(partitions.map((row) => row.topic))],
      partitions: partitions.map(({ topic, partition, lag }) => ({ topic, partition, lag })),
    }))
    .sort((a, b) => b.lag - a.lag || a.group.localeCompare(b.group));
}

const lagCommand: Handler = async (context) => {
  const port = context.env['ATLAS_DELIVERY_PORT'] ?? '8099';
  const url = `http://127.0.0.1:${port}/lag`;
  const response = await reach(url, { signal: AbortSignal.timeout(30_000) }, 'the KafkaSource');
  if (!response.ok)
    throw new CliError(
      EXIT.unreachable,
      `the KafkaSource at ${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
    );
  const groups = sumLag((await response.json()) as PartitionLag[]);
  const total = groups.reduce((sum, group) => sum + group.lag, 0);
  emit(context, { source: url, total, groups }, () =>
    [
      table(
        context,
        [
          'GROUP',
          { header: 'LAG', align: 'right' },
          { header: 'PARTITIONS', align: 'right' },
          'TOPICS',
        ],
        groups.map((group) => [
          group.group,
          group.lag > 0 ? context.style.yellow(String(group.lag)) : '0',
          group.partitions.length,
          group.topics.join(', '),
        ]),
      ),
      context.style.dim(
        `total ${total} across ${groups.length} groups (committed offsets trail deliveries by ~1 s)`,
      ),
    ].join('\n'),
  );
  return EXIT.ok;
};

// ---------------------------------------------------------------------------------------------
// check

interface CheckRound {
  readonly ok: boolean;
  readonly scope: readonly string[] | 'every order';
  readonly checkedAt: string;
  readonly durationMs: number;
  readonly quiet: boolean;
  readonly notQuietBecause: string | null;
  readonly violations: readonly { readonly rule: string; readonly message: string }[];
}

const checkCommand: Handler = async (context) => {
  const { values } = context.invocation;
  const watch = values['watch'] === true;
  const intervalSeconds = intOption(values['interval'], '--interval', { fallback: 10 }) ?? 10;
  const settleSeconds = intOption(values['settle'], '--settle', { min: 0, fallback: 5 }) ?? 5;
  const orderIds = listOption(values, 'order');
  const scope = orderIds.length > 0 ? { orderIds } : {};
  const invariants = await import('../test/invariants/index.ts');
  const connected = invariants.connectServiceDatabases(context.env);
  const { databases } = connected;
  const state = { stop: false, failed: false };
  void context.interrupted.then(() => {
    state.stop = true;
  });
  const stopped = (): boolean => state.stop;
  let last: CheckRound | undefined;
  const progress = new Progress(context.stderr);
  try {
    for (let round = 1; ; round += 1) {
      const began = Date.now();
      progress.update(
        `check ${round}: waiting up to ${settleSeconds} s for the system to be quiet`,
      );
      let quiet: { quiet: boolean; reason?: string } = { quiet: true };
      try {
        if (settleSeconds > 0)
          quiet = await invariants.waitUntilQuiet(databases, {
            ...scope,
            timeoutMs: settleSeconds * 1000,
          });
        progress.update(`check ${round}: checking the invariants`);
        const violations = await invariants.checkInvariants(databases, scope);
        last = {
          ok: violations.length === 0,
          scope: orderIds.length > 0 ? orderIds : 'every order',
          checkedAt: new Date().toISOString(),
          durationMs: Date.now() - began,
          quiet: quiet.quiet,
          notQuietBecause: quiet.quiet ? null : (quiet.reason ?? null),
          violations,
        };
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (
          code === 'ECONNREFUSED' ||
          code === 'ENOTFOUND' ||
          code === 'CONNECT_TIMEOUT' ||
          code === '3D000'
        )
          throw new CliError(
            EXIT.unreachable,
            `PostgreSQL does not answer (${code}): is the system up? (npm start)`,
            { cause: error },
          );
        throw error;
      }
      progress.stop();
      state.failed = !last.ok;
      if (context.invocation.json)
        context.stdout.write(`${JSON.stringify(last, null, watch ? undefined : 2)}\n`);
      else print(context, renderCheck(context, last, watch));
      if (!watch || stopped()) break;
      for (let left = intervalSeconds; left > 0 && !stopped(); left -= 1) {
        progress.update(`next check in ${left} s (Ctrl-C stops)`);
        await Promise.race([sleep(1000), context.interrupted]);
      }
      progress.stop();
      if (stopped()) break;
    }
  } finally {
    progress.stop();
    await connected.close();
  }
  return state.failed ? EXIT.problems : EXIT.ok;
};

function renderCheck(context: Context, round: CheckRound, watch: boolean): string {
  const { green, red, dim, yellow } = context.style;
  const stamp = watch ? `${round.checkedAt}  ` : '';
  const lines = round.ok
    ? [`${stamp}${green('ok')}: every invariant holds (${round.durationMs} ms)`]
    : [
        `${stamp}${red(`${round.violations.length} violation(s)`)}`,
        table(
          context,
          ['RULE', 'MESSAGE'],
          round.violations.map((violation) => [violation.rule, violation.message]),
        ),
      ];
  if (!round.quiet)
    lines.push(
      yellow(
        `the system was not quiet (${round.notQuietBecause ?? 'still changing'}): in-flight orders may show as unsettled`,
      ),
    );
  if (!watch && round.ok)
    lines.push(
      dim(
        'checked: orders settled, stock = live reservations, released once, charged/refunded at most once, ledger balanced, no effect twice, statuses agree',
      ),
    );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// stock

interface Item {
  readonly sku: string;
  readonly name?: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

const itemLine = (item: Item): string =>
  renderFields([
    ['sku', item.sku],
    ['name', item.name],
    ['on hand', item.onHand],
    ['reserved', item.reserved],
    ['available', item.available],
  ]);

const stockShow: Handler = async (context) => {
  const { body } = await context
    .gateway()
    .request<Item>('GET', `/v1/inventory/items/${segment(positional(context, 0))}`);
  emit(context, body, () => itemLine(body));
  return EXIT.ok;
};

const stockSet: Handler = async (context) => {
  const sku = positional(context, 0);
  const onHand = intOption(positional(context, 1), '<onHand>', { min: 0, max: 2 ** 31 - 1 });
  const name = stringOption(context.invocation.values, 'name');
  const answer = await context
    .gateway()
    .request<Item>('PUT', `/v1/inventory/items/${segment(sku)}`, {
      body: name === undefined ? { onHand } : { onHand, name },
      ...idempotencyKey(context),
    });
  emitCommand(context, answer, () => itemLine(answer.body));
  return EXIT.ok;
};

const stockReceive: Handler = async (context) => {
  const sku = positional(context, 0);
  const quantity = intOption(positional(context, 1), '<quantity>', { min: 1, max: 2 ** 31 - 1 });
  const answer = await context
    .gateway()
    .request<Item>('POST', `/v1/inventory/items/${segment(sku)}/receipts`, {
      body: { quantity },
      ...idempotencyKey(context),
    });
  emitCommand(context, answer, () => `received ${quantity} of ${sku}\n${itemLine(answer.body)}`);
  return EXIT.ok;
};

// ---------------------------------------------------------------------------------------------
// approvals

type Approval = ApprovalView;

const approvalsList: Handler = async (context) => {
  const status = oneOf(
    stringOption(context.invocation.values, 'status'),
    APPROVAL_STATUSES,
    '--status',
  );
  const { body: page } = await context
    .gateway()
    .request<Page<Approval>>('GET', `/v1/approvals${query({ ...paging(context), status })}`);
  emit(context, page, () =>
    page.items.length === 0
      ? `no ${status ? `${status.toLowerCase()} ` : ''}approvals`
      : [
          table(
            context,
            [
              'APPROVAL',
              'ORDER',
              'STATUS',
              { header: 'AMOUNT', align: 'right' },
              'REQUESTED',
              'DECIDED BY',
            ],
            page.items.map((approval) => [
              approval.approvalId,
              approval.orderId,
              colourStatus(context, approval.status),
              `${approval.amount} ${approval.currency}`,
              approval.requestedAt,
              approval.decidedBy,
            ]),
          ),
          context.style.dim(pageFooter(page, 'approvals')),
        ].join('\n'),
  );
  return EXIT.ok;
};

const approvalsDecide =
  (decision: 'approve' | 'reject'): Handler =>
  async (context) => {
    const approvalId = positional(context, 0);
    const { values } = context.invocation;
    let body: Record<string, string> = {};
    if (decision === 'reject') {
      const reason = stringOption(values, 'reason');
      if (!reason || reason.trim() === '')
        throw new UsageError('atlas approvals reject needs --reason R');
      body = { reason };
    } else {
      const comment = stringOption(values, 'comment');
      if (comment !== undefined) body = { comment };
    }
    const answer = await context
      .gateway()
      .request<Approval>('POST', `/v1/approvals/${segment(approvalId)}/${decision}`, {
        body,
        ...idempotencyKey(context),
      });
    emitCommand(
      context,
      answer,
      () =>
        `approval ${answer.body.approvalId} of order ${answer.body.orderId}: ${colourStatus(context, answer.body.status)}`,
    );
    return EXIT.ok;
  };

export const HANDLERS: Readonly<Record<string, Handler>> = {
  login: loginCommand,
  logout: logoutCommand,
  'orders list': ordersList,
  'orders show': ordersShow,
  trace: traceCommand,
  stuck: stuckCommand,
  'dlq list': dlqList,
  'dlq replay': dlqReplay,
  'dlq redrive': dlqRedrive,
  lag: lagCommand,
  check: checkCommand,
  'stock show': stockShow,
  'stock set': stockSet,
  'stock receive': stockReceive,
  'approvals list': approvalsList,
  'approvals approve': approvalsDecide('approve'),
  'approvals reject': approvalsDecide('reject'),
};

export { gateway };
