import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serviceNames, type ServiceName } from '@atlas/config';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import type { ComponentContext } from './components/component.ts';
import { functionStatuses, startFunctions, stopFunctions } from './functions.ts';
import { InfraError } from './lib/errors.ts';
import { ownedPid, processMarker } from './lib/processes.ts';
import { runCommand } from './lib/run.ts';
import { down, up } from './stack.ts';
import { migrateDatabases } from './system-steps.ts';

/** What a backup holds; `manifest.json` in its folder. */
export interface BackupManifest {
  readonly format: 1;
  readonly createdAt: string;
  readonly databases: readonly {
    service: ServiceName;
    database: string;
    file: string;
    bytes: number;
  }[];
  readonly kafka: { readonly file: string; readonly bytes: number };
  /** How long the function processes were stopped for the consistent cut. */
  readonly pausedMs: number;
}

const MANIFEST = 'manifest.json';
const KAFKA_ARCHIVE = 'kafka-log-dirs.tar.gz';
/** Redis keys whose meaning a restore takes back: answers of commands and redrives after the cut. */
const REDIS_PREFIXES_TO_FORGET = ['atlas:idem:', 'atlas:ops:redriven:'];

function kafkaDataDir(context: ComponentContext): string {
  return join(context.paths.data, 'kafka');
}

function databaseOf(
  context: ComponentContext,
  service: ServiceName,
): { name: string; url: string } {
  const url = context.config.postgres.databaseUrl(service);
  return { name: new URL(url).pathname.slice(1), url };
}

/** Backups and restores stop and start Kafka, so it must be the broker this clone runs. */
function requireOwnKafka(context: ComponentContext, what: string): void {
  if (ownedPid(context.paths, 'kafka', processMarker('kafka')) === undefined)
    throw new InfraError(
      `${what} needs the Kafka broker this clone runs (npm start), and none runs: a broker run elsewhere is backed up with its own tools.`,
    );
}

async function mustRun(command: string, args: readonly string[], what: string): Promise<void> {
  const result = await runCommand(command, args);
  if (result.missing)
    throw new InfraError(`${what}: ${command} is not installed (Debian: postgresql-client, tar).`);
  if (result.status !== 0)
    throw new InfraError(`${what} failed (exit ${result.status}): ${result.output.trim()}`);
}

/** Dumps the databases and archives Kafka's logs into `dir`; the functions must be stopped. */
async function takeCut(
  context: ComponentContext,
  dir: string,
): Promise<BackupManifest['databases']> {
  const databases = await Promise.all(
    serviceNames.map(async (service) => {
      const database = databaseOf(context, service);
      const file = `${database.name}.dump`;
      await mustRun(
        'pg_dump',
        ['--format=custom', '--no-owner', `--file=${join(dir, file)}`, database.url],
        `pg_dump of ${database.name}`,
      );
      return { service, database: database.name, file, bytes: statSync(join(dir, file)).size };
    }),
  );
  await down(context, new Set(['kafka']));
  await mustRun(
    'tar',
    ['-czf', join(dir, KAFKA_ARCHIVE), '-C', kafkaDataDir(context), 'log-dirs'],
    'archiving the Kafka log directories',
  );
  return databases;
}

/**
 * Takes a cold, consistent backup of everything the system's state lives in: the five service
 * databases (pg_dump, custom format) and the broker's log directories (topics, consumer offsets,
 * dead letters), cut at one moment (ADR-0037). The function processes are stopped for the cut, so
 * no transaction, relay or delivery runs while it is taken, then started again; the API refuses
 * requests meanwhile (typically 20–40 s here).
 */
export async function backup(
  context: ComponentContext,
  into: string = join(
    context.paths.state,
    'backups',
    new Date().toISOString().replaceAll(':', '-'),
  ),
): Promise<{ dir: string; manifest: BackupManifest }> {
  requireOwnKafka(context, 'A backup');
  const dir = resolve(into);
  if (existsSync(join(dir, MANIFEST))) throw new InfraError(`${dir} already holds a backup.`);
  mkdirSync(dir, { recursive: true });

  const paused = Date.now();
  const wasRunning = functionStatuses(context).some((entry) => entry.state !== 'down');
  await stopFunctions(context);
  let databases: BackupManifest['databases'];
  try {
    databases = await takeCut(context, dir);
  } finally {
    await up(context);
    if (wasRunning) await startFunctions(context);
  }
  const manifest: BackupManifest = {
    format: 1,
    createdAt: new Date(paused).toISOString(),
    databases,
    kafka: { file: KAFKA_ARCHIVE, bytes: statSync(join(dir, KAFKA_ARCHIVE)).size },
    pausedMs: Date.now() - paused,
  };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest };
}

export function readManifest(dir: string): BackupManifest {
  const path = join(resolve(dir), MANIFEST);
  if (!existsSync(path)) throw new InfraError(`${path} does not exist: not a backup folder.`);
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown };
  if (parsed.format !== 1)
    throw new InfraError(`${path}: unknown backup format ${String(parsed.format)}.`);
  const manifest = parsed as BackupManifest;
  for (const file of [...manifest.databases.map((d) => d.file), manifest.kafka.file])
    if (!existsSync(join(resolve(dir), file)))
      throw new InfraError(`${dir} lacks ${file}, which its manifest names.`);
  return manifest;
}

async function forgetRedisKeys(url: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect();
  let forgotten = 0;
  try {
    for (const prefix of REDIS_PREFIXES_TO_FORGET) {
      for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1_000 })) {
        const batch = keys as string[];
        if (batch.length > 0) forgotten += await redis.unlink(...batch);
      }
    }
  } finally {
    redis.disconnect();
  }
  return forgotten;
}

/**
 * Puts the system back to a backup: stops the function processes, replaces the five databases
 * and the broker's log directories with the backup's, forgets the Redis keys whose answers the
 * restore took back, then starts the functions, which resume where the cut left them. What
 * happened after the backup is gone (its orders, charges, events): the backup is the recovery
 * point. Answers how many Redis keys it forgot.
 */
export async function restore(
  context: ComponentContext,
  from: string,
): Promise<{ manifest: BackupManifest; forgottenKeys: number }> {
  const dir = resolve(from);
  const manifest = readManifest(dir);
  requireOwnKafka(context, 'A restore');
  const wasRunning = functionStatuses(context).some((entry) => entry.state !== 'down');
  await stopFunctions(context);

  await down(context, new Set(['kafka']));
  rmSync(join(kafkaDataDir(context), 'log-dirs'), { recursive: true, force: true });
  await mustRun(
    'tar',
    ['-xzf', join(dir, manifest.kafka.file), '-C', kafkaDataDir(context)],
    'unpacking the Kafka log directories',
  );
  await up(context);

  const admin = postgres(`${context.config.postgres.baseUrl}/postgres`, {
    max: 1,
    onnotice: () => undefined,
  });
  try {
    for (const entry of manifest.databases) {
      const database = databaseOf(context, entry.service);
      // FORCE: a test or a psql left connected must not hold the restore up.
      await admin`drop database if exists ${admin(database.name)} with (force)`;
      await admin`create database ${admin(database.name)}`;
      await mustRun(
        'pg_restore',
        ['--no-owner', '--exit-on-error', `--dbname=${database.url}`, join(dir, entry.file)],
        `pg_restore of ${database.name}`,
      );
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  const forgottenKeys = await forgetRedisKeys(context.config.redis.url);
  // A backup taken by older code may lack newer migrations.
  await migrateDatabases.run(context);
  if (wasRunning) await startFunctions(context);
  return { manifest, forgottenKeys };
}
