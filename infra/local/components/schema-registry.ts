import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, ComponentContext } from './component.ts';
import { unpackOnce } from '../lib/archive.ts';
import { findJdk, smallServerJvmFlags } from '../lib/java.ts';
import { resolveArtifact } from '../lib/maven.ts';
import { launchDetached, processMarker } from '../lib/processes.ts';
import { httpOk } from '../lib/wait.ts';
import { ARTIFACTS, VERSIONS } from '../versions.ts';

/**
 * Apicurio Registry 3 with in-memory storage, serving the Confluent-compatible API that
 * @kafkajs/confluent-schema-registry speaks (ADR-0019). Settings live in apicurio/application.properties.
 */
export function schemaRegistry({ paths, config, env }: ComponentContext): Component {
  const url = new URL(config.schemaRegistry.url);
  const port = Number(url.port || 80);
  const managementPort = port + 1000;
  const home = join(paths.cache, `apicurio-registry-${VERSIONS.apicurio}`);
  const marker = processMarker('schema-registry');

  return {
    name: 'schema-registry',
    address: config.schemaRegistry.url,
    ports: [port, managementPort],
    marker,
    startTimeoutMs: 90_000,
    probe: () => httpOk(`${config.schemaRegistry.url}/subjects`),
    async prepare() {
      await unpackOnce(await resolveArtifact(paths, ARTIFACTS.apicurio, env), home, {
        stripTopDirectory: false,
      });
    },
    async start() {
      const jdk = findJdk(21, 'Apicurio Registry', 'ATLAS_REGISTRY_JAVA_HOME', env);
      const workDir = join(paths.data, 'schema-registry');
      mkdirSync(workDir, { recursive: true });
      return launchDetached(paths, 'schema-registry', {
        command: jdk.java,
        args: [
          marker,
          ...smallServerJvmFlags('256m'),
          `-Dquarkus.config.locations=${join(paths.repo, 'infra', 'local', 'apicurio', 'application.properties')}`,
          `-Dquarkus.http.host=${url.hostname}`,
          `-Dquarkus.http.port=${port}`,
          `-Dquarkus.management.port=${managementPort}`,
          '-jar',
          join(home, 'quarkus-run.jar'),
        ],
        cwd: workDir,
      });
    },
  };
}
