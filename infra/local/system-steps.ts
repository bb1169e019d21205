import { Kafka, logLevel } from 'kafkajs';
import { ensureLocalWebhookSecret, localWebhookSecretPath, serviceNames } from '@atlas/config';
import { migrateService } from '@atlas/db';
import { registerSchemas } from '@atlas/events';
import { ensureTopics } from '@atlas/messaging';
import { startFunctions } from './functions.ts';
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
    const admin = new Kafka({
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

export const startFunctionProcesses: StartStep = {
  title: 'functions',
  async run(context) {
    const statuses = await startFunctions(context);
    return statuses
      .map((status) => `${status.name} ${status.state} ${status.address}`)
      .join('\n  ');
  },
};

/** What the tests need besides the stack: schemas, topics and migrated databases. */
export const TEST_SETUP_STEPS: readonly StartStep[] = [
  localSecrets,
  migrateDatabases,
  registerEventSchemas,
  createTopics,
];

/** `npm start`, after the stack is up. */
export const START_STEPS: readonly StartStep[] = [...TEST_SETUP_STEPS, startFunctionProcesses];
