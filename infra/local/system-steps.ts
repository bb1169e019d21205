import { logLevel } from 'kafkajs';
import { createKafka } from '@atlas/messaging/kafka';
import { ensureLocalWebhookSecret, localWebhookSecretPath, serviceNames } from '@atlas/config';
import { migrateService } from '@atlas/db';
import { registerSchemas } from '@atlas/events';
import { ensureTopics } from '@atlas/messaging';
import { seedLocalDemoStock } from './demo-stock.ts';
import { startFunctions, type ProcessStatus } from './functions.ts';
import { InfraError } from './lib/errors.ts';
import type { StartStep } from './start.ts';

export const localSecrets: StartStep = {
  title: 'local secrets',
  async run(context) {
    const created = ensureLocalWebhookSecret(context.env);
    const file = localWebhookSecretPath(context.env);
    return created ? `payment webhook secret created in ${file}` : `present in ${file}`;
  },
};

export const migrateDatabases: StartStep = {
  title: 'database migrations',
  async run() {
    const applied = await Promise.all(
      serviceNames.map(async (service) => (await migrateService(service)).length),
    );
    const total = applied.reduce((sum, count) => sum + count, 0);
    return total === 0 ? 'up to date' : `${total} applied`;
  },
};

export const registerEventSchemas: StartStep = {
  title: 'event schemas',
  async run(context) {
    const registered = await registerSchemas({ registryUrl: context.config.schemaRegistry.url });
    return `${registered.length} registered (compatibility BACKWARD)`;
  },
};

export const createTopics: StartStep = {
  title: 'Kafka topics',
  async run(context) {
    const admin = createKafka({
      clientId: 'atlas-start',
      brokers: [...context.config.kafka.brokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const created = await ensureTopics(admin);
      return created.length === 0 ? 'all present' : `created ${created.join(', ')}`;
    } finally {
      await admin.disconnect();
    }
  },
};

/** One line per function that changed, after a count per state. */
export function describeFunctions(statuses: readonly ProcessStatus[]): string {
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status.state, (counts.get(status.state) ?? 0) + 1);
  const summary = [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
  // Only what changed is listed by name: the running ones are the quiet majority.
  const changed = statuses
    .filter((status) => status.state !== 'running')
    .map((status) =>
      status.state === 'restarted'
        ? `${status.name} restarted: its code changed after it started`
        : `${status.name} ${status.state} ${status.address}${status.error ? `: ${status.error}` : ''}`,
    );
  return [summary, ...changed].join('\n  ');
}

/** Every function and the KafkaSource; one that does not come up fails `npm start`. */
export const startFunctionProcesses: StartStep = {
  title: 'functions',
  async run(context) {
    const statuses = await startFunctions(context);
    const failed = statuses.filter((status) => status.state === 'failed');
    if (failed.length > 0)
      throw new InfraError(
        `${failed.length} function(s) did not start:\n  ${failed.map((f) => `${f.name}: ${f.error}`).join('\n  ')}`,
      );
    return describeFunctions(statuses);
  },
};

export const demoStock: StartStep = {
  title: 'demo stock',
  async run(context) {
    const items = await seedLocalDemoStock(context.config);
    return items
      .map(
        (item) =>
          `${item.sku} ${item.name}: ${item.onHand} on hand, ${item.onHand - item.reserved} available`,
      )
      .join('\n  ');
  },
};

/**
 * What a system needs before its functions start, wherever its servers run: the databases'
 * schemas and the event schemas (`npm run infra -- setup`; in a cluster Strimzi makes the topics).
 */
export const SETUP_STEPS: readonly StartStep[] = [migrateDatabases, registerEventSchemas];

/** Everything but the function processes: what the unit and integration tests need. */
const PLATFORM_STEPS: readonly StartStep[] = [
  localSecrets,
  migrateDatabases,
  registerEventSchemas,
  createTopics,
];

/**
 * The test set-up, before it starts the functions itself (`prepare-tests`): it reports a function
 * that does not come up instead of failing, so one function someone is still writing does not stop
 * every other test of the repo; the end-to-end tests that need it fail, naming it.
 */
export const TEST_SETUP_STEPS: readonly StartStep[] = [...PLATFORM_STEPS, demoStock];

/** `npm start`, after the stack is up. */
export const START_STEPS: readonly StartStep[] = [
  ...PLATFORM_STEPS,
  demoStock,
  startFunctionProcesses,
];
