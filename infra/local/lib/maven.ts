import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { InfraError } from './errors.ts';
import type { Paths } from './paths.ts';
import { runCommand } from './run.ts';

type Env = Readonly<Record<string, string | undefined>>;

function localRepository(env: Env): string {
  return env['ATLAS_MAVEN_REPO'] ?? join(homedir(), '.m2', 'repository');
}

async function runMaven(paths: Paths, args: string[], what: string, env: Env): Promise<void> {
  mkdirSync(paths.logs, { recursive: true });
  const logPath = join(paths.logs, 'maven.log');
  const repoArgs = env['ATLAS_MAVEN_REPO'] ? [`-Dmaven.repo.local=${env['ATLAS_MAVEN_REPO']}`] : [];
  const offlineArgs = env['ATLAS_MAVEN_OFFLINE'] === '1' ? ['--offline'] : [];
  const result = await runCommand('mvn', ['-B', '-q', ...offlineArgs, ...repoArgs, ...args], {
    cwd: paths.repo,
  });
  if (result.missing) {
    throw new InfraError(
      "Maven is missing: install it (e.g. 'apt-get install maven'); it downloads Kafka, Apicurio and Keycloak from Maven Central.",
    );
  }
  if (result.status !== 0) {
    const output = result.output;
    // The full Maven output goes to the log; the screen gets the first error line.
    appendFileSync(logPath, output);
    const firstError =
      output.split('\n').find((line) => line.includes('[ERROR]')) ??
      output.trim().split('\n')[0] ??
      '';
    throw new InfraError(
      `Could not download ${what} from Maven Central: ${firstError.replace('[ERROR] ', '').trim()} (full output in ${logPath}).`,
    );
  }
}

/** Path of a Maven artifact in the local repository, downloading it first if it is not there. */
export async function resolveArtifact(
  paths: Paths,
  coordinates: string,
  env: Env = process.env,
): Promise<string> {
  const [groupId, artifactId, version, packaging, classifier] = coordinates.split(':');
  if (!groupId || !artifactId || !version || !packaging) {
    throw new InfraError(`Malformed Maven coordinates "${coordinates}"`);
  }
  const fileName = `${artifactId}-${version}${classifier ? `-${classifier}` : ''}.${packaging}`;
  const file = join(localRepository(env), ...groupId.split('.'), artifactId, version, fileName);
  if (!existsSync(file)) {
    await runMaven(
      paths,
      ['dependency:get', `-Dartifact=${coordinates}`, '-Dtransitive=false'],
      coordinates,
      env,
    );
  }
  if (!existsSync(file)) {
    throw new InfraError(`Maven reported success for ${coordinates} but ${file} is missing.`);
  }
  return file;
}

/** Resolves a pom's runtime classpath once and caches it in `outputFile`. */
export async function resolveClasspath(
  paths: Paths,
  pom: string,
  properties: Readonly<Record<string, string>>,
  outputFile: string,
  what: string,
  env: Env = process.env,
): Promise<string> {
  if (!existsSync(outputFile)) {
    mkdirSync(dirname(outputFile), { recursive: true });
    const defines = Object.entries(properties).map(([key, value]) => `-D${key}=${value}`);
    await runMaven(
      paths,
      [
        '-f',
        pom,
        ...defines,
        'dependency:build-classpath',
        '-Dmdep.includeScope=runtime',
        `-Dmdep.outputFile=${outputFile}`,
      ],
      what,
      env,
    );
  }
  return readFileSync(outputFile, 'utf8').trim();
}
