import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { redis } from './components/redis.ts';
import { InfraError } from './lib/errors.ts';
import { findJdk } from './lib/java.ts';
import { resolveArtifact } from './lib/maven.ts';
import { resolvePaths } from './lib/paths.ts';
import { bringUp, stackContext } from './stack.ts';

function listenOnFreePort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.end());
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

describe('the local infrastructure tool', () => {
  let squatter: Server | undefined;
  afterEach(() => {
    squatter?.close();
  });

  it('refuses to start a part whose port something else holds, naming the port and the holder', async () => {
    const { server, port } = await listenOnFreePort();
    squatter = server;
    const state = mkdtempSync(join(tmpdir(), 'atlas-state-'));
    const context = stackContext({
      ...process.env,
      ATLAS_REDIS_URL: `redis://127.0.0.1:${port}`,
      ATLAS_STATE_DIR: state,
    });

    const attempt = bringUp(context, redis(context));

    await expect(attempt).rejects.toThrow(InfraError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`port ${port} is taken by .+ \\(pid ${process.pid}\\)`),
    );
  });

  it('says which artifact could not be downloaded', async () => {
    const env = {
      ...process.env,
      ATLAS_MAVEN_OFFLINE: '1',
      ATLAS_MAVEN_REPO: mkdtempSync(join(tmpdir(), 'atlas-m2-')),
    };
    const paths = resolvePaths({
      ...env,
      ATLAS_STATE_DIR: mkdtempSync(join(tmpdir(), 'atlas-state-')),
    });

    await expect(
      resolveArtifact(paths, 'dev.atlas:does-not-exist:1.0.0:tar.gz', env),
    ).rejects.toThrow(
      /Could not download dev\.atlas:does-not-exist:1\.0\.0:tar\.gz from Maven Central/,
    );
  });

  it('says which Java a part needs when no JDK is new enough', () => {
    expect(() =>
      findJdk(99, 'Keycloak', 'ATLAS_TEST_JAVA_HOME', { PATH: process.env['PATH'] }),
    ).toThrow(/Keycloak needs Java 99 or newer and none was found/);
  });

  it('rejects an override that is not a JDK rather than ignoring it', () => {
    expect(() =>
      findJdk(17, 'Kafka', 'ATLAS_TEST_JAVA_HOME', { ATLAS_TEST_JAVA_HOME: '/nonexistent' }),
    ).toThrow('ATLAS_TEST_JAVA_HOME=/nonexistent is not a JDK');
  });
});
