import { existsSync } from 'node:fs';
import { loadStackConfig, repoRoot, type ServiceName } from '@atlas/config';
import { createSql } from './connection.ts';
import { migrate, type Migration, type MigrationSet } from './migrate.ts';

const REPO_ROOT = `${repoRoot().replace(/\/$/, '')}/`;

/** The platform tables (outbox, inbox) first, then the service's own folder if it has one. */
export function migrationSetsOf(service: ServiceName): MigrationSet[] {
  const sets: MigrationSet[] = [
    { name: 'platform', directory: `${REPO_ROOT}shared/db/migrations` },
  ];
  const own = `${REPO_ROOT}functions/${service}/migrations`;
  if (existsSync(own)) sets.push({ name: service, directory: own });
  return sets;
}

/** Brings one service database up to date; used by `npm start`, the test set-up and each function's start. */
export async function migrateService(
  service: ServiceName,
  env = process.env,
): Promise<Migration[]> {
  const sql = createSql(loadStackConfig(env).postgres.databaseUrl(service), {
    applicationName: `atlas-migrate-${service}`,
    max: 1,
  });
  try {
    return await migrate(sql, migrationSetsOf(service));
  } finally {
    await sql.end({ timeout: 5 });
  }
}
