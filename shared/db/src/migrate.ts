import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from './connection.ts';

/** A named, ordered folder of `NNNN_description.sql` files. */
export interface MigrationSet {
  readonly name: string;
  readonly directory: string;
}

export interface Migration {
  readonly set: string;
  readonly version: string;
  readonly description: string;
  readonly sql: string;
  readonly checksum: string;
}

export class MigrationError extends Error {
  readonly code = 'ATLAS_MIGRATION_FAILED';
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function readMigrations(set: MigrationSet): Migration[] {
  return readdirSync(set.directory)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = FILE_PATTERN.exec(file);
      if (!match?.[1] || !match[2]) {
        throw new MigrationError(
          `${set.directory}/${file}: migration files are named NNNN_lower_snake_case.sql`,
        );
      }
      const sql = readFileSync(join(set.directory, file), 'utf8');
      return {
        set: set.name,
        version: match[1],
        description: match[2],
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

// Any constant works; it only has to be the same for every process migrating this database.
const MIGRATION_LOCK_KEY = 0x41_54_4c_53;

/**
 * Applies the pending files of the sets in order, all in one transaction (DDL is transactional in
 * PostgreSQL, so a failing file leaves the database as it was) under an advisory lock, so
 * concurrent starters (two replicas, npm start beside npm test) apply each file once. Forward
 * only: an applied file whose text changed is an error, never silently re-run.
 *
 * @returns the migrations applied by this call.
 */
export async function migrate(sql: Sql, sets: readonly MigrationSet[]): Promise<Migration[]> {
  const migrations = sets.flatMap(readMigrations);
  return sql.begin(async (tx) => {
    // Transaction-scoped: released on commit or rollback, even if this process dies.
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx`
      create table if not exists atlas_schema_migrations (
        set_name text not null,
        version text not null,
        description text not null,
        checksum text not null,
        applied_at timestamptz not null default now(),
        primary key (set_name, version)
      )`;
    const applied = new Map(
      (
        await tx<{ set_name: string; version: string; checksum: string }[]>`
        select set_name, version, checksum from atlas_schema_migrations`
      ).map((row) => [`${row.set_name}/${row.version}`, row.checksum]),
    );
    const done: Migration[] = [];
    for (const migration of migrations) {
      const key = `${migration.set}/${migration.version}`;
      const checksum = applied.get(key);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new MigrationError(
            `Migration ${key}_${migration.description} changed after it was applied; add a new migration instead.`,
          );
        }
        continue;
      }
      await tx.savepoint(async (step) => {
        await step.unsafe(migration.sql);
        await step`
          insert into atlas_schema_migrations (set_name, version, description, checksum)
          values (${migration.set}, ${migration.version}, ${migration.description}, ${migration.checksum})`;
      });
      done.push(migration);
    }
    return done;
  });
}
