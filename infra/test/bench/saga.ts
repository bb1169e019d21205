import { parseArgs } from 'node:util';
import { loadStackConfig } from '@atlas/config';
import { gatewayClient } from '../../local/demo/client.ts';
import { resolvePaths } from '../../local/lib/paths.ts';
import { checkInvariants, connectServiceDatabases, waitUntilQuiet } from '../invariants/index.ts';
import { logLevel, type Admin } from 'kafkajs';
import { createKafka } from '@atlas/messaging/kafka';
import { measureCommitCeiling } from './saga/ceiling.ts';
import {
  hopCountersNow,
  hopFloor,
  measureHttpDelivery,
  measureKafkaRecord,
  type HopCounts,
} from './saga/floor.ts';
import { watchConfirmations, type ConfirmationWatch } from './saga/confirmations.ts';
import { benchClient, closedLoop, openLoop, type LoadOutcome } from './saga/load.ts';
import { peakRssMbOf, stackProcesses, startCpuWindow, type CpuWindow } from './saga/processes.ts';
import { committedTransactions, percentile, printCpu, round } from './saga/report.ts';
import { loadAverage as load, progress as log } from '../progress.ts';

/**
 * `npm run bench`: the order saga end to end against the running system (`npm start`), through
 * the gateway with real Keycloak tokens. Each order is timed from its 202 to its OrderConfirmed
 * record on the order topic. Phases: idle CPU, warm-up, closed loop, open loop, drain, the
 * commit-bound ceiling, the hop floor, the invariant checker. Not a test: it exits non-zero only on an error,
 * never on a missed target; its last line is one JSON object.
 */
const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    'closed-seconds': { type: 'string', default: '30' },
    rate: { type: 'string', default: '25' },
    'open-seconds': { type: 'string', default: '60' },
    'warmup-seconds': { type: 'string', default: '5' },
    'idle-seconds': { type: 'string', default: '10' },
    'drain-seconds': { type: 'string', default: '30' },
    mix: { type: 'boolean', default: false },
  },
});
const settings = {
  clients: Number(args.clients),
  closedSeconds: Number(args['closed-seconds']),
  rate: Number(args.rate),
  openSeconds: Number(args['open-seconds']),
  warmupSeconds: Number(args['warmup-seconds']),
  idleSeconds: Number(args['idle-seconds']),
  drainSeconds: Number(args['drain-seconds']),
  mixed: args.mix,
};
const SKU_COUNT = 20;
/** The local KafkaSource's `/metrics`, where the deliveries a saga causes are counted. */
const DELIVERY_METRICS_URL = `http://127.0.0.1:${process.env['ATLAS_DELIVERY_PORT'] ?? 8099}/metrics`;
const STOCK = 1_000_000_000;

async function seedStock(gateway: ReturnType<typeof gatewayClient>): Promise<string[]> {
  const skus = Array.from(
    { length: SKU_COUNT },
    (_, index) => `SKU-BENCH-${String(index + 1).padStart(2, '0')}`,
  );
  for (const sku of skus) {
    const item = await gateway.call('GET', `/v1/inventory/items/${sku}`, { user: 'ops' });
    const current = item.json as { available?: number; reserved?: number } | undefined;
    if (item.status === 200 && (current?.available ?? 0) > STOCK / 10) continue;
    const response = await gateway.call('PUT', `/v1/inventory/items/${sku}`, {
      user: 'ops',
      key: true,
      body: { onHand: (current?.reserved ?? 0) + STOCK, name: `Bench item ${sku}` },
    });
    if (response.status !== 200)
      throw new Error(`seeding ${sku} answered ${response.status}: ${response.text}`);
  }
  return skus;
}

interface PhaseResult {
  readonly name: string;
  readonly outcome: LoadOutcome;
  readonly cpu: CpuWindow;
  readonly confirmedInWindow: number;
  /** Deliveries, records and commits over the window (commits in the five service databases). */
  readonly hops: HopCounts;
  readonly latenciesMs: number[];
  readonly postMs: number[];
  readonly lost: string[];
  readonly load: string;
}

async function runPhase(
  name: string,
  runDir: string,
  watch: ConfirmationWatch,
  admin: Admin,
  drive: () => Promise<LoadOutcome>,
): Promise<PhaseResult> {
  const databases = connectServiceDatabases();
  const commitsBefore = await committedTransactions(databases.databases.order);
  const countersBefore = await hopCountersNow(admin, DELIVERY_METRICS_URL);
  const windowStart = Date.now();
  const cpuWindow = startCpuWindow(runDir);
  const outcome = await drive();
  const cpu = cpuWindow.stop();
  const windowEnd = Date.now();
  const countersAfter = await hopCountersNow(admin, DELIVERY_METRICS_URL);
  const hops = {
    deliveries: countersAfter.deliveries - countersBefore.deliveries,
    records: countersAfter.records - countersBefore.records,
    commits: (await committedTransactions(databases.databases.order)) - commitsBefore,
  };
  const loadAtEnd = load();
  const ids = outcome.placed.map((order) => order.orderId);
  const lost = await watch.waitFor(ids, Date.now() + settings.drainSeconds * 1000);
  await databases.close();
  const latenciesMs: number[] = [];
  let confirmedInWindow = 0;
  for (const order of outcome.placed) {
    const settlement = watch.settlementOf(order.orderId);
    if (!settlement) continue;
    if (settlement.at >= windowStart && settlement.at <= windowEnd) confirmedInWindow += 1;
    if (order.path === 'happy' && settlement.eventType === 'OrderConfirmed')
      latenciesMs.push(Math.max(0, settlement.at - order.acceptedAt));
  }
  return {
    name,
    outcome,
    cpu,
    confirmedInWindow,
    hops,
    latenciesMs: latenciesMs.sort((a, b) => a - b),
    postMs: outcome.placed.map((order) => order.postMs).sort((a, b) => a - b),
    lost,
    load: loadAtEnd,
  };
}

function describePhase(result: PhaseResult): void {
  const seconds = result.cpu.wallMs / 1000;
  const failures = [...result.outcome.failures]
    .map(([label, count]) => `${label}×${count}`)
    .join(', ');
  log(
    `\n${result.name}: placed ${result.outcome.placed.length} in ${seconds.toFixed(1)} s ` +
      `(${(result.outcome.placed.length / seconds).toFixed(1)}/s), settled within the window ` +
      `${result.confirmedInWindow} (${(result.confirmedInWindow / seconds).toFixed(1)}/s), ` +
      `lost ${result.lost.length}${failures ? `, POST failures ${failures}` : ''}; load average ${result.load}`,
  );
  log(
    `  POST /v1/orders p50 ${round(percentile(result.postMs, 50))} ms, p99 ${round(percentile(result.postMs, 99))} ms; ` +
      `place→CONFIRMED p50 ${round(percentile(result.latenciesMs, 50))} ms, p95 ${round(percentile(result.latenciesMs, 95))} ms, ` +
      `p99 ${round(percentile(result.latenciesMs, 99))} ms`,
  );
  printCpu(log, result.cpu, Math.max(1, result.confirmedInWindow));
}

async function main(): Promise<void> {
  const config = loadStackConfig();
  const gateway = gatewayClient();
  const health = await fetch(`${gateway.url}/health`).catch(() => undefined);
  if (!health?.ok)
    throw new Error(`the gateway does not answer at ${gateway.url}: run npm start first`);
  const runDir = resolvePaths().run;
  const processes = stackProcesses(runDir);
  const functionProcesses = processes.filter(
    (entry) => entry.name.startsWith('fn-') || entry.name === 'kafka-source',
  );
  log(
    `bench: ${functionProcesses.length} function processes, ${processes.length} stack processes; load average ${load()}`,
  );

  const client = await benchClient(gateway, await seedStock(gateway));

  log(`idle: measuring the stack's CPU for ${settings.idleSeconds} s with no load`);
  const idle = startCpuWindow(runDir);
  await new Promise((resolve) => setTimeout(resolve, settings.idleSeconds * 1000));
  const idleWindow = idle.stop();
  const idleCpuPercent = (idleWindow.stackMs / idleWindow.wallMs) * 100;
  log(`  idle stack CPU ${idleCpuPercent.toFixed(1)} % of one core; load average ${load()}`);

  const watch = await watchConfirmations(config.kafka.brokers);
  const admin = createKafka({
    clientId: 'atlas-bench-counters',
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const placedIds: string[] = [];
  try {
    log(`warm-up: ${settings.warmupSeconds} s at ${settings.rate}/s`);
    const warm = await openLoop(client, {
      rate: settings.rate,
      seconds: settings.warmupSeconds,
      mixed: settings.mixed,
    });
    placedIds.push(...warm.placed.map((order) => order.orderId));
    await watch.waitFor(placedIds, Date.now() + settings.drainSeconds * 1000);

    const mode = settings.mixed ? 'mixed paths' : 'happy path';
    const closed = await runPhase(
      `closed loop, ${settings.clients} clients, ${mode}`,
      runDir,
      watch,
      admin,
      () =>
        closedLoop(client, {
          clients: settings.clients,
          seconds: settings.closedSeconds,
          mixed: settings.mixed,
          settled: (orderId, deadline) => watch.waitFor([orderId], deadline),
          settleTimeoutMs: settings.drainSeconds * 1000,
        }),
    );
    placedIds.push(...closed.outcome.placed.map((order) => order.orderId));
    describePhase(closed);

    const open = await runPhase(
      `open loop, ${settings.rate}/s, ${mode}`,
      runDir,
      watch,
      admin,
      () =>
        openLoop(client, {
          rate: settings.rate,
          seconds: settings.openSeconds,
          mixed: settings.mixed,
        }),
    );
    placedIds.push(...open.outcome.placed.map((order) => order.orderId));
    describePhase(open);

    log('\nceiling: order+outbox transactions on a throw-away database, 8 clients, 5 s');
    const ceiling = await measureCommitCeiling({ clients: 8, seconds: 5 });
    const sagasPerSec = closed.confirmedInWindow / (closed.cpu.wallMs / 1000);
    // From the open loop: there every placed order settles inside the window or just after it.
    const openSagas = Math.max(1, open.confirmedInWindow);
    const perSaga: HopCounts = {
      deliveries: open.hops.deliveries / openSagas,
      records: open.hops.records / openSagas,
      commits: open.hops.commits / openSagas,
    };
    const commitsPerSaga = perSaga.commits;
    const ceilingSagasPerSec = ceiling.transactionsPerSec / commitsPerSaga;
    log(
      `  ${ceiling.transactionsPerSec.toFixed(0)} tx/s raw; the saga commits ${commitsPerSaga.toFixed(1)} ` +
        `transactions across the five databases, so the commit-bound ceiling is ${ceilingSagasPerSec.toFixed(1)} sagas/s; ` +
        `load average ${load()}`,
    );

    if (open.hops.deliveries <= 0 || open.hops.records <= 0)
      throw new Error(
        `the open loop counted ${open.hops.deliveries} deliveries and ${open.hops.records} records: is the local KafkaSource (${DELIVERY_METRICS_URL}) running?`,
      );
    const openSeconds = open.cpu.wallMs / 1000;
    const kafkaGroupsPerRecord = Math.max(1, Math.round(perSaga.deliveries / perSaga.records));
    log(
      `\nhop floor: a saga is ${perSaga.deliveries.toFixed(1)} deliveries + 2 command hops, ` +
        `${perSaga.records.toFixed(1)} records (read by ~${kafkaGroupsPerRecord} groups each), ` +
        `${perSaga.commits.toFixed(1)} commits; each measured bare at the open loop's rate, 5 s`,
    );
    const http = await measureHttpDelivery({
      rate: open.hops.deliveries / openSeconds,
      seconds: 5,
    });
    const kafkaPid = processes.find((entry) => entry.group === 'kafka')?.pid;
    if (kafkaPid === undefined) throw new Error('no Kafka process found under the state directory');
    const kafka = await measureKafkaRecord({
      brokers: config.kafka.brokers,
      brokerPid: kafkaPid,
      groups: kafkaGroupsPerRecord,
      rate: open.hops.records / openSeconds,
      seconds: 5,
    });
    const floor = hopFloor(
      perSaga,
      {
        httpDeliveryCpuMs: http.cpuMsPerUnit,
        kafkaRecordCpuMs: kafka.cpuMsPerUnit,
        commitCpuMs: ceiling.cpuMsPerTransaction,
      },
      kafkaGroupsPerRecord,
    );
    const openLoopCpuMsPerSaga = open.cpu.stackMs / openSagas;
    log(
      `  bare HTTP delivery ${http.cpuMsPerUnit.toFixed(3)} ms, Kafka record ${kafka.cpuMsPerUnit.toFixed(3)} ms, ` +
        `commit ${ceiling.cpuMsPerTransaction.toFixed(3)} ms of CPU; floor ${floor.cpuMsPerSaga.toFixed(1)} ms per saga ` +
        `against ${openLoopCpuMsPerSaga.toFixed(1)} ms measured in the open loop (×${(openLoopCpuMsPerSaga / floor.cpuMsPerSaga).toFixed(2)}); ` +
        `load average ${load()}`,
    );

    log('\ninvariants: waiting until the bench orders are quiet, then checking them');
    const databases = connectServiceDatabases();
    const quiet = await waitUntilQuiet(databases.databases, {
      orderIds: placedIds,
      timeoutMs: 120_000,
    });
    const violations = await checkInvariants(databases.databases, { orderIds: placedIds });
    await databases.close();
    log(
      `  quiet: ${quiet.quiet ? 'yes' : `no (${quiet.reason ?? ''})`}; violations: ${violations.length}`,
    );
    for (const violation of violations.slice(0, 10)) log(`    ${JSON.stringify(violation)}`);

    const rss = functionProcesses.map((entry) => ({
      name: entry.name,
      mb: peakRssMbOf(entry.pid) ?? 0,
    }));
    rss.sort((a, b) => b.mb - a.mb);
    log(
      `\npeak RSS: ${rss
        .slice(0, 5)
        .map((entry) => `${entry.name} ${entry.mb.toFixed(0)} MB`)
        .join(', ')}`,
    );

    const cpuMsPerSaga = closed.cpu.stackMs / Math.max(1, closed.confirmedInWindow);
    const summary = {
      mode: settings.mixed ? 'mixed' : 'happy',
      sagasPerSec: round(sagasPerSec),
      ceilingSagasPerSec: round(ceilingSagasPerSec),
      ratio: round(sagasPerSec / ceilingSagasPerSec, 3),
      commitsPerSaga: round(commitsPerSaga),
      rawCommitsPerSec: round(ceiling.transactionsPerSec),
      openLoopRate: settings.rate,
      p50PlaceToConfirmedMs: round(percentile(open.latenciesMs, 50)),
      p95PlaceToConfirmedMs: round(percentile(open.latenciesMs, 95)),
      p99PlaceToConfirmedMs: round(percentile(open.latenciesMs, 99)),
      p99PostOrderMs: round(percentile(open.postMs, 99)),
      lost: closed.lost.length + open.lost.length,
      cpuMsPerSaga: round(cpuMsPerSaga),
      openLoopCpuMsPerSaga: round(openLoopCpuMsPerSaga),
      floorCpuMsPerSaga: round(floor.cpuMsPerSaga),
      deliveriesPerSaga: round(perSaga.deliveries),
      recordsPerSaga: round(perSaga.records),
      httpDeliveryCpuMs: round(http.cpuMsPerUnit, 3),
      kafkaRecordCpuMs: round(kafka.cpuMsPerUnit, 3),
      commitCpuMs: round(ceiling.cpuMsPerTransaction, 3),
      tcpSegmentsPerSaga: round(closed.cpu.tcpSegments / Math.max(1, closed.confirmedInWindow)),
      idleCpuPercent: round(idleCpuPercent),
      maxRssMb: round(rss[0]?.mb ?? 0),
      invariantViolations: violations.length,
      loadAverage: load(),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await watch.stop();
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
