import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logLevel } from 'kafkajs';
import { createKafka } from '@atlas/messaging/kafka';
import type { Component, ComponentContext } from './component.ts';
import { InfraError } from '../lib/errors.ts';
import { findJdk } from '../lib/java.ts';
import { resolveClasspath } from '../lib/maven.ts';
import { launchDetached, processMarker } from '../lib/processes.ts';
import { runCommand } from '../lib/run.ts';
import { VERSIONS } from '../versions.ts';

/** A real metadata round trip, the same a client does on connect. */
export async function kafkaAnswers(brokers: readonly string[]): Promise<boolean> {
  const admin = createKafka({
    clientId: 'atlas-infra-probe',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Apache Kafka as one combined broker+controller KRaft node, jars from Maven Central. */
export function kafka({ paths, config, env }: ComponentContext): Component {
  const [host, portText] = (config.kafka.brokers[0] ?? '127.0.0.1:9092').split(':');
  const brokerPort = Number(portText);
  const controllerPort = config.kafka.controllerPort;
  const dataDir = join(paths.data, 'kafka');
  const logDirs = join(dataDir, 'log-dirs');
  const propertiesFile = join(dataDir, 'server.properties');
  const templateDir = join(paths.repo, 'infra', 'local', 'kafka');
  const classpathFile = join(paths.cache, `kafka-${VERSIONS.kafka}`, 'classpath.txt');
  const marker = processMarker('kafka');
  let classpath = '';

  const java = (): string => findJdk(17, 'Kafka', 'ATLAS_KAFKA_JAVA_HOME', env).java;

  return {
    name: 'kafka',
    address: `${host}:${brokerPort}`,
    ports: [brokerPort, controllerPort],
    marker,
    startTimeoutMs: 90_000,
    probe: () => kafkaAnswers(config.kafka.brokers),
    async prepare() {
      const jdk = java();
      classpath = await resolveClasspath(
        paths,
        join(templateDir, 'pom.xml'),
        {
          'kafka.version': VERSIONS.kafka,
          'log4j.version': VERSIONS.log4j,
          'slf4j.version': VERSIONS.slf4j,
        },
        classpathFile,
        `Kafka ${VERSIONS.kafka} (org.apache.kafka:kafka_2.13 and its dependencies)`,
        env,
      );
      mkdirSync(logDirs, { recursive: true });
      const properties = readFileSync(join(templateDir, 'server.properties'), 'utf8')
        .replaceAll('${LOG_DIRS}', logDirs)
        .replaceAll('${BROKER_PORT}', String(brokerPort))
        .replaceAll('${CONTROLLER_PORT}', String(controllerPort));
      writeFileSync(propertiesFile, properties);

      // Formatting twice is refused by Kafka, and would be wrong anyway: meta.properties marks it done.
      if (!existsSync(join(logDirs, 'meta.properties'))) {
        // `=` form: a base64url id may begin with '-', which the option parser would take for a flag.
        const clusterId = randomBytes(16).toString('base64url');
        const result = await runCommand(jdk, [
          '-Xmx256m',
          '-cp',
          classpath,
          `-Dlog4j2.configurationFile=${join(templateDir, 'log4j2.xml')}`,
          `-Dkafka.logs.dir=${join(paths.logs, 'kafka-server')}`,
          'kafka.tools.StorageTool',
          'format',
          '--standalone',
          `--cluster-id=${clusterId}`,
          '--config',
          propertiesFile,
        ]);
        if (result.status !== 0) {
          throw new InfraError(
            `Formatting Kafka storage in ${logDirs} failed: ${result.output.trim()}`,
          );
        }
      }
    },
    async start() {
      return launchDetached(paths, 'kafka', {
        command: java(),
        args: [
          marker,
          '-Xms512m',
          '-Xmx512m',
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          // C1 only: half the CPU to start, which matters on 2 cores; throughput is ample locally.
          '-XX:TieredStopAtLevel=1',
          '-XX:+ExitOnOutOfMemoryError',
          '-Djava.awt.headless=true',
          `-Dlog4j2.configurationFile=${join(templateDir, 'log4j2.xml')}`,
          `-Dkafka.logs.dir=${join(paths.logs, 'kafka-server')}`,
          '-cp',
          classpath,
          'kafka.Kafka',
          propertiesFile,
        ],
        cwd: dataDir,
      });
    },
  };
}
