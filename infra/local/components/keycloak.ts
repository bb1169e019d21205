import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, ComponentContext } from './component.ts';
import { unpackOnce } from '../lib/archive.ts';
import { findJdk } from '../lib/java.ts';
import { resolveArtifact } from '../lib/maven.ts';
import { launchDetached, processMarker } from '../lib/processes.ts';
import { httpOk } from '../lib/wait.ts';
import { ARTIFACTS, VERSIONS } from '../versions.ts';

/**
 * Keycloak in dev mode with the atlas-erp realm imported from infra/keycloak/ on first start.
 * The distribution is shared per user (cache); its database and caches live in the clone's state.
 */
export function keycloak({ paths, config, env }: ComponentContext): Component {
  const url = new URL(config.keycloak.url);
  const port = Number(url.port || 80);
  const managementPort = Number(env['ATLAS_KEYCLOAK_MANAGEMENT_PORT'] ?? port + 1000);
  const home = join(paths.cache, `keycloak-${VERSIONS.keycloak}`);
  const dataDir = join(paths.data, 'keycloak');
  const marker = processMarker('keycloak');

  return {
    name: 'keycloak',
    address: config.keycloak.url,
    ports: [port, managementPort],
    marker,
    // The first start imports the realm and builds Keycloak's optimised image: slow on 2 busy cores.
    startTimeoutMs: 240_000,
    probe: () => httpOk(`${config.keycloak.issuer}/.well-known/openid-configuration`),
    async prepare() {
      await unpackOnce(await resolveArtifact(paths, ARTIFACTS.keycloak, env), home, {
        stripTopDirectory: true,
      });
    },
    async start() {
      const jdk = findJdk(21, 'Keycloak', 'ATLAS_KEYCLOAK_JAVA_HOME', env);
      mkdirSync(dataDir, { recursive: true });
      return launchDetached(paths, 'keycloak', {
        command: join(home, 'bin', 'kc.sh'),
        args: [
          'start-dev',
          marker,
          `--http-host=${url.hostname}`,
          `--http-port=${port}`,
          `--http-management-port=${managementPort}`,
          `--hostname=${config.keycloak.url}`,
          '--import-realm',
          `--db-url=jdbc:h2:file:${join(dataDir, 'h2', 'keycloakdb')};NON_KEYWORDS=VALUE;DB_CLOSE_ON_EXIT=FALSE;DB_CLOSE_DELAY=-1;TRACE_LEVEL_FILE=0`,
          // Import straight from the repo instead of copying the realm into the shared distribution.
          `-Dkeycloak.migration.dir=${join(paths.repo, 'infra', 'keycloak')}`,
          `-Dquarkus.transaction-manager.object-store.directory=${join(dataDir, 'transaction-logs')}`,
          '-Dquarkus.transaction-manager.enable-recovery=false',
          // The default process id opens a random TCP port; a UUID needs none.
          '-DCoreEnvironmentBean.processImplementationClassName=com.arjuna.ats.internal.arjuna.utils.UuidProcessId',
          `-Dvertx.cacheDirBase=${join(dataDir, 'vertx-cache')}`,
        ],
        cwd: dataDir,
        env: {
          JAVA_HOME: jdk.home,
          // Not JAVA_OPTS: that replaces all of kc.sh's defaults (GC, metaspace cap), not just the heap.
          JAVA_OPTS_KC_HEAP: '-Xms64m -Xmx512m',
          // Without the add-opens, every shutdown on Java 23+ prints an IllegalAccessError from jboss-threads.
          JAVA_OPTS_APPEND:
            jdk.major >= 23
              ? '--add-opens=java.base/java.lang=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow'
              : '',
          // Local-only master-realm console login, printed by `npm start`.
          KC_BOOTSTRAP_ADMIN_USERNAME: 'admin',
          KC_BOOTSTRAP_ADMIN_PASSWORD: 'admin',
        },
      });
    },
  };
}
