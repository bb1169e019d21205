import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { logLevel, Partitioners, type Admin, type Consumer } from 'kafkajs';
import { EVENT_TOPICS } from '@atlas/events';
import { createKafka } from '@atlas/messaging/kafka';
import { EVENT_TOPIC_PARTITIONS } from '@atlas/messaging';
import { cpuMsOf } from './processes.ts';

/**
 * The hop floor: what the saga's unavoidable units cost on this machine with no Atlas code in
 * them, measured in the same run as the saga. A saga is so many HTTP deliveries, Kafka records
 * and PostgreSQL commits; multiplied by what each costs bare, that is the least CPU any code of
 * this shape could spend per saga here. The gap between it and the measured CPU per saga is what
 * Atlas's own code costs; the floor itself only a different shape can lower.
 */

/** CPU of one unit of work, every process that took part summed, over a paced window. */
export interface UnitCost {
  readonly cpuMsPerUnit: number;
  readonly units: number;
  readonly seconds: number;
}

/** The CPU of these processes plus this one so far, in ms. */
export function cpuMeter(pids: readonly number[]): () => number {
  return () => {
    const own = process.cpuUsage();
    const others = pids.reduce((sum, pid) => sum + (cpuMsOf(pid) ?? 0), 0);
    return (own.user + own.system) / 1000 + others;
  };
}

/** Starts `send` `rate` times a second for `seconds`, not waiting for one before the next. */
async function paced(
  rate: number,
  seconds: number,
  send: (index: number) => Promise<void>,
): Promise<number> {
  const total = Math.max(1, Math.round(rate * seconds));
  const started = performance.now();
  const sent: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const wait = started + (index * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    sent.push(send(index));
  }
  await Promise.all(sent);
  return total;
}

/** A binary-mode CloudEvent as the KafkaSource delivers one: its attributes as headers. */
function cloudEventHeaders(body: Buffer): Record<string, string> {
  return {
    'content-type': 'application/avro',
    'content-length': String(body.length),
    'ce-specversion': '1.0',
    'ce-id': randomUUID(),
    'ce-type': 'InventoryReserved',
    'ce-source': 'inventory',
    'ce-time': new Date().toISOString(),
    'ce-subject': randomUUID(),
    'ce-correlationid': randomUUID(),
    'ce-causationid': randomUUID(),
  };
}

/**
 * One HTTP CloudEvent delivery to a consumer that does nothing (`bare-consumer.ts`, a child
 * process): POSTed over a kept-alive connection at `rate` a second, the client's CPU (this
 * process) and the consumer's summed.
 */
export async function measureHttpDelivery(options: {
  rate: number;
  seconds: number;
  bodyBytes?: number;
}): Promise<UnitCost> {
  const child = fork(new URL('./bare-consumer.ts', import.meta.url), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 9 });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message) => resolve((message as { port: number }).port));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the bare consumer exited (${code})`)));
    });
    const body = randomBytes(options.bodyBytes ?? 400);
    const post = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const outgoing = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/',
            agent,
            headers: cloudEventHeaders(body),
          },
          (response) => {
            response.resume();
            response.on('end', () =>
              response.statusCode === 200
                ? resolve()
                : reject(new Error(`the bare consumer answered ${response.statusCode}`)),
            );
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    // Warm both ends (JIT, the connections) before the window.
    await paced(options.rate, 1, post);
    const cpu = cpuMeter([child.pid ?? 0]);
    const before = cpu();
    const started = performance.now();
    const units = await paced(options.rate, options.seconds, post);
    return {
      cpuMsPerUnit: (cpu() - before) / units,
      units,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    agent.destroy();
    if (child.connected) child.disconnect();
    child.kill();
  }
}

async function consumeAll(
  counts: readonly number[],
  total: number,
  deadline: number,
): Promise<void> {
  while (counts.some((count) => count < total)) {
    if (Date.now() > deadline)
      throw new Error(
        `the floor's consumers read ${counts.join('/')} of ${total} records before the deadline`,
      );
    await sleep(20);
  }
}

/**
 * One Kafka record: produced on its own (an idempotent producer, acks from every replica, as a
 * relay under a trickle sends) at `rate` a second to a throw-away topic with the event topics'
 * partition count, and fetched by `groups` consumer groups (as many as read one event of the saga
 * on average). The broker's CPU and this process's (producer and consumers) summed.
 */
export async function measureKafkaRecord(options: {
  brokers: readonly string[];
  brokerPid: number;
  groups: number;
  rate: number;
  seconds: number;
}): Promise<UnitCost> {
  const kafka = createKafka({
    clientId: 'atlas-bench-floor',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  });
  const topic = `atlas.bench.floor.${randomUUID()}`;
  const admin: Admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumers: Consumer[] = [];
  const groupIds: string[] = [];
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: EVENT_TOPIC_PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    await producer.connect();
    const counts = Array.from({ length: options.groups }, () => 0);
    for (let group = 0; group < options.groups; group += 1) {
      const groupId = `atlas-bench-floor-${randomUUID()}`;
      groupIds.push(groupId);
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 1_000 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const joined = new Promise<void>((resolve) =>
        consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
      );
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: EVENT_TOPIC_PARTITIONS,
        eachMessage: async () => {
          counts[group] = (counts[group] ?? 0) + 1;
        },
      });
      await joined;
    }
    const value = randomBytes(400);
    const send = async (): Promise<void> => {
      await producer.send({
        topic,
        acks: -1,
        messages: [{ key: randomUUID(), value, headers: cloudEventHeaders(value) }],
      });
    };
    // Warm up, and wait until every group has read it, so the window holds only steady work.
    const warm = await paced(options.rate, 1, send);
    await consumeAll(counts, warm, Date.now() + 30_000);
    counts.fill(0);
    const cpu = cpuMeter([options.brokerPid]);
    const before = cpu();
    const started = performance.now();
    const units = await paced(options.rate, options.seconds, send);
    await consumeAll(counts, units, Date.now() + 30_000);
    return {
      cpuMsPerUnit: (cpu() - before) / units,
      units,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups(groupIds).catch(() => undefined);
    await admin.disconnect();
  }
}

/** What one saga costs in units, counted over a window of the running system. */
export interface HopCounts {
  /** CloudEvents the local KafkaSource delivered (answered), ignored ones included. */
  readonly deliveries: number;
  /** Records the relays published to the four event topics. */
  readonly records: number;
  /** Transactions committed in the five service databases (relays' included). */
  readonly commits: number;
}

/** The delivery and record counters of the running system now; diff two to count a window. */
export async function hopCountersNow(
  admin: Admin,
  deliveryMetricsUrl: string,
): Promise<Omit<HopCounts, 'commits'>> {
  const metrics = await (await fetch(deliveryMetricsUrl)).text();
  let deliveries = 0;
  for (const line of metrics.split('\n'))
    if (line.startsWith('atlas_delivery_events_total{'))
      deliveries += Number(line.split(' ').at(-1));
  let records = 0;
  for (const topic of Object.values(EVENT_TOPICS))
    for (const partition of await admin.fetchTopicOffsets(topic)) records += Number(partition.high);
  return { deliveries, records };
}

export interface HopFloor {
  readonly perSaga: HopCounts & { readonly commandHops: number };
  readonly httpDeliveryCpuMs: number;
  readonly kafkaRecordCpuMs: number;
  readonly kafkaGroupsPerRecord: number;
  readonly commitCpuMs: number;
  /** The least CPU a saga of this shape costs here, in ms. */
  readonly cpuMsPerSaga: number;
}

/**
 * The floor of one saga: every delivery and command hop at the bare HTTP cost, every record at
 * the bare Kafka cost, every commit at the ceiling transaction's cost. Redis, the bench's own
 * gateway request and the relays' polls are left out, so it is a lower bound.
 */
export function hopFloor(
  perSaga: HopCounts,
  costs: { httpDeliveryCpuMs: number; kafkaRecordCpuMs: number; commitCpuMs: number },
  kafkaGroupsPerRecord: number,
): HopFloor {
  // A command through the gateway is two hops: the gateway's server and its call to the function.
  const commandHops = 2;
  const cpuMsPerSaga =
    (perSaga.deliveries + commandHops) * costs.httpDeliveryCpuMs +
    perSaga.records * costs.kafkaRecordCpuMs +
    perSaga.commits * costs.commitCpuMs;
  return { perSaga: { ...perSaga, commandHops }, ...costs, kafkaGroupsPerRecord, cpuMsPerSaga };
}
