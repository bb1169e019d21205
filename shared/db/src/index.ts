export { createSql, socketOf, stage, transaction } from './connection.ts';
export type { Sql, TransactionSql, UnsentStatement } from './connection.ts';
export { MigrationError, migrate, readMigrations } from './migrate.ts';
export type { Migration, MigrationSet } from './migrate.ts';
export { migrateService, migrationSetsOf } from './service-migrations.ts';
