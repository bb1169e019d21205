import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from './errors.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface Jdk {
  readonly home: string;
  readonly java: string;
  readonly major: number;
}

function majorOf(home: string): number | undefined {
  try {
    const release = readFileSync(join(home, 'release'), 'utf8');
    const version = /^JAVA_VERSION="([^"]+)"/m.exec(release)?.[1];
    if (version === undefined) return undefined;
    const [first, second] = version.split('.');
    // Java 8 and older report "1.8.0"; everything we can use reports its major first.
    return Number(first === '1' ? second : first);
  } catch {
    return undefined;
  }
}

function jdkAt(home: string): Jdk | undefined {
  const java = join(home, 'bin', 'java');
  const major = majorOf(home);
  return existsSync(java) && major !== undefined ? { home, java, major } : undefined;
}

function javaHomeOfPath(): string | undefined {
  // -XshowSettings writes to stderr.
  const result = spawnSync('java', ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
  return result.error ? undefined : /java\.home = (.+)/.exec(result.stderr)?.[1]?.trim();
}

/** Every JDK we can see: an explicit override, JAVA_HOME, the `java` on PATH, then /usr/lib/jvm/*. */
function candidateHomes(env: Env, overrideVariable: string): string[] {
  const homes: string[] = [];
  const push = (home: string | undefined): void => {
    if (home && !homes.includes(home)) homes.push(home);
  };
  push(env[overrideVariable]);
  push(env['JAVA_HOME']);
  push(javaHomeOfPath());
  if (existsSync('/usr/lib/jvm')) {
    for (const entry of readdirSync('/usr/lib/jvm').sort().reverse())
      push(join('/usr/lib/jvm', entry));
  }
  return homes;
}

/**
 * Finds a JDK of at least `minMajor` for `purpose`. An explicit override wins even when older,
 * so a user can force a version, but we say so rather than silently ignoring it.
 */
export function findJdk(
  minMajor: number,
  purpose: string,
  overrideVariable: string,
  env: Env = process.env,
): Jdk {
  const override = env[overrideVariable];
  if (override) {
    const jdk = jdkAt(override);
    if (!jdk)
      throw new InfraError(
        `${overrideVariable}=${override} is not a JDK (no bin/java or release file).`,
      );
    if (jdk.major < minMajor) {
      throw new InfraError(
        `${overrideVariable} points at Java ${jdk.major}; ${purpose} needs Java ${minMajor} or newer.`,
      );
    }
    return jdk;
  }
  const found = candidateHomes(env, overrideVariable)
    .map(jdkAt)
    .filter((jdk): jdk is Jdk => jdk !== undefined && jdk.major >= minMajor)
    // Prefer the oldest adequate JDK: it is the one the component is most tested on.
    .sort((a, b) => a.major - b.major);
  const jdk = found[0];
  if (!jdk) {
    throw new InfraError(
      `${purpose} needs Java ${minMajor} or newer and none was found (looked at ${overrideVariable}, JAVA_HOME, ` +
        `the java on PATH and /usr/lib/jvm). Install one, e.g. 'apt-get install openjdk-${Math.max(minMajor, 17)}-jdk-headless' ` +
        `or a Temurin JDK, or set ${overrideVariable} to its home.`,
    );
  }
  return jdk;
}

/**
 * Flags of a small Java server on 2 cores (the registry, Zipkin): a bounded heap, serial GC and C1
 * only — such a server starts with ~35 % less CPU — and an exit rather than a limp on OOM.
 */
export function smallServerJvmFlags(maxHeap: string): string[] {
  return [
    '-Xms64m',
    `-Xmx${maxHeap}`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
  ];
}
