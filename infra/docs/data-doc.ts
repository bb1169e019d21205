import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog, type CatalogEntry } from '@atlas/catalog';
import { SERVICE_DATABASES, repoRoot, type ServiceName } from '@atlas/config';
import { migrationSetsOf, readMigrations, type Migration } from '@atlas/db';

export const DATA_DOCS = fileURLToPath(new URL('../../docs/data/', import.meta.url));
const MIGRATE_SOURCE = fileURLToPath(new URL('../../shared/db/src/migrate.ts', import.meta.url));

export interface Column {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly default?: string;
  /** `identity`, or the expression of a stored generated column. */
  readonly generated?: string;
  /** The SQL comment written above the column. */
  readonly comment?: string;
  /** The migration that added it after the table was created. */
  readonly addedBy?: string;
}

export interface Constraint {
  readonly name: string;
  readonly kind: 'primary key' | 'unique' | 'foreign key' | 'check';
  readonly columns: readonly string[];
  /** `check`: the expression; `foreign key`: the referenced `table (columns)`. */
  readonly definition: string;
  readonly references?: { readonly table: string; readonly columns: readonly string[] };
  readonly comment?: string;
}

export interface Index {
  readonly name: string;
  readonly unique: boolean;
  readonly columns: string;
  readonly where?: string;
  readonly comment?: string;
}

export interface Trigger {
  readonly name: string;
  readonly when: string;
  readonly level: 'row' | 'statement';
  readonly function: string;
  readonly deferred: boolean;
  /** The trigger's own comment, else its function's. */
  readonly comment?: string;
}

export interface Table {
  readonly name: string;
  readonly createdBy: string;
  readonly comment?: string;
  readonly columns: Column[];
  readonly constraints: Constraint[];
  readonly indexes: Index[];
  readonly triggers: Trigger[];
}

/** One migration file as the pages list it. */
export interface MigrationFile {
  readonly set: string;
  readonly file: string;
  /** Repository path, for links. */
  readonly path: string;
  /** The file's first comment block: what it is for. */
  readonly purpose: string;
  /** True when it changes rows besides the schema (update, insert, delete). */
  readonly changesData: boolean;
}

export interface Schema {
  readonly tables: Table[];
  readonly migrations: MigrationFile[];
}

export class UnreadableMigrationError extends Error {
  readonly code = 'ATLAS_DATA_DOC_UNREADABLE';
}

interface Statement {
  /** The comment block right above the statement (no blank line between). */
  readonly comment: string;
  /** The statement with its inner comments, without the `;`. */
  readonly text: string;
}

/**
 * Splits a migration into statements: `;` ends one outside quotes, dollar-quoted bodies and
 * comments. Each keeps the comment block directly above it, which is where this repository's
 * migrations explain their tables.
 */
function splitStatements(sql: string): { statements: Statement[]; firstComment: string } {
  const statements: Statement[] = [];
  let firstComment: string | undefined;
  let block: string[] = [];
  let pendingComment = '';
  let text = '';
  let index = 0;
  const flushBlock = (): void => {
    if (block.length > 0) firstComment ??= block.join(' ');
  };
  // Whether the current line holds nothing but whitespace so far: a blank line ends a block.
  let lineBlank = true;
  while (index < sql.length) {
    const char = sql[index] ?? '';
    if (text.trim() === '') {
      // Between statements: gather comment blocks; a blank line separates a block from what follows.
      if (sql.startsWith('--', index)) {
        const end = sql.indexOf('\n', index);
        const line = sql.slice(index + 2, end === -1 ? sql.length : end).trim();
        block.push(line);
        index = end === -1 ? sql.length : end + 1;
        lineBlank = true;
        continue;
      }
      if (char === '\n') {
        if (lineBlank && block.length > 0) {
          flushBlock();
          block = [];
        }
        lineBlank = true;
        index += 1;
        continue;
      }
      if (/\s/.test(char)) {
        index += 1;
        continue;
      }
      flushBlock();
      pendingComment = block.join(' ');
      block = [];
    }
    if (sql.startsWith('--', index)) {
      const end = sql.indexOf('\n', index);
      text += sql.slice(index, end === -1 ? sql.length : end + 1);
      index = end === -1 ? sql.length : end + 1;
      continue;
    }
    if (char === "'") {
      const end = closingQuote(sql, index);
      text += sql.slice(index, end + 1);
      index = end + 1;
      continue;
    }
    const dollar = /^\$[A-Za-z_]*\$/.exec(sql.slice(index));
    if (dollar) {
      const tag = dollar[0];
      const end = sql.indexOf(tag, index + tag.length);
      if (end === -1) throw new UnreadableMigrationError(`unterminated ${tag} body`);
      text += sql.slice(index, end + tag.length);
      index = end + tag.length;
      continue;
    }
    if (char === ';') {
      statements.push({ comment: pendingComment, text: text.trim() });
      text = '';
      pendingComment = '';
      lineBlank = false;
      index += 1;
      continue;
    }
    text += char;
    index += 1;
  }
  flushBlock();
  if (text.trim() !== '') statements.push({ comment: pendingComment, text: text.trim() });
  return { statements, firstComment: firstComment ?? '' };
}

const withoutComments = (text: string): string => text.replace(/--[^\n]*/g, ' ');

/** One line, single spaces, no space inside parentheses: how the pages quote SQL. */
function normalized(text: string): string {
  return withoutComments(text)
    .replace(/\s+/g, ' ')
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .trim();
}

function closingQuote(text: string, open: number): number {
  const end = text.indexOf("'", open + 1);
  if (end === -1)
    throw new UnreadableMigrationError(
      `unterminated string literal in: ${text.slice(open, open + 80)}`,
    );
  return end;
}

/** The index of the parenthesis closing the one at `open`, skipping quoted text and comments. */
function closingParenthesis(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    const char = text[index];
    // Comments may hold apostrophes and parentheses of their own.
    if (text.startsWith('--', index)) {
      const end = text.indexOf('\n', index);
      if (end === -1) break;
      index = end;
      continue;
    }
    if (char === "'") {
      index = closingQuote(text, index);
      continue;
    }
    if (char === '(') depth += 1;
    if (char === ')') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  throw new UnreadableMigrationError(`unbalanced parentheses in: ${normalized(text)}`);
}

/** Splits at top-level commas; each part keeps the comment lines written above it. */
function splitItems(body: string): { text: string; comment: string }[] {
  const items: { text: string; comment: string }[] = [];
  let depth = 0;
  let text = '';
  let comment: string[] = [];
  let index = 0;
  while (index < body.length) {
    const char = body[index] ?? '';
    if (body.startsWith('--', index)) {
      const end = body.indexOf('\n', index);
      const line = body.slice(index + 2, end === -1 ? body.length : end).trim();
      if (text.trim() === '') comment.push(line);
      index = end === -1 ? body.length : end + 1;
      continue;
    }
    if (char === "'") {
      const end = closingQuote(body, index);
      text += body.slice(index, end + 1);
      index = end + 1;
      continue;
    }
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      items.push({ text: normalized(text), comment: comment.join(' ') });
      text = '';
      comment = [];
    } else {
      text += char;
    }
    index += 1;
  }
  if (text.trim() !== '') items.push({ text: normalized(text), comment: comment.join(' ') });
  return items;
}

/** Words, quoted strings and whole parenthesised groups of a normalised definition. */
function tokens(text: string): string[] {
  const result: string[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === ' ') {
      index += 1;
    } else if (char === '(') {
      const end = closingParenthesis(text, index);
      result.push(text.slice(index, end + 1));
      index = end + 1;
    } else if (char === "'") {
      const end = closingQuote(text, index);
      result.push(text.slice(index, end + 1));
      index = end + 1;
    } else {
      const match = /^[^\s()']+/.exec(text.slice(index));
      const word = match?.[0] ?? char;
      result.push(word);
      index += word.length;
    }
  }
  return result;
}

/** Joins tokens back, a call's parentheses against its name: `clock_timestamp()`. */
const joined = (parts: readonly string[]): string =>
  parts.reduce(
    (text, part) => (text === '' ? part : part.startsWith('(') ? text + part : `${text} ${part}`),
    '',
  );

const inner = (group: string): string => group.slice(1, -1).trim();
const columnList = (group: string): string[] =>
  inner(group)
    .split(',')
    .map((column) => column.trim());

const COLUMN_KEYWORDS = new Set([
  'not',
  'null',
  'default',
  'primary',
  'unique',
  'references',
  'check',
  'generated',
  'constraint',
  'collate',
]);

interface TableDraft {
  name: string;
  createdBy: string;
  comment: string;
  columns: Column[];
  constraints: (Omit<Constraint, 'name'> & { name?: string })[];
  indexes: Index[];
  triggers: Trigger[];
}

function unreadable(what: string, text: string): never {
  throw new UnreadableMigrationError(`data-doc cannot read ${what}: ${normalized(text)}`);
}

/** `references t (c) [on delete …]`: the target and how many tokens it took. */
function referenceAt(
  parts: readonly string[],
  at: number,
): { table: string; columns: string[]; taken: number } {
  const table = parts[at + 1];
  if (!table) return unreadable('a reference', parts.join(' '));
  const group = parts[at + 2];
  const columns = group?.startsWith('(') ? columnList(group) : [];
  let taken = group?.startsWith('(') ? 3 : 2;
  while (parts[at + taken] === 'on') taken += parts[at + taken + 2] === 'set' ? 4 : 3;
  return { table, columns, taken };
}

function addColumn(table: TableDraft, text: string, comment: string, addedBy?: string): void {
  const parts = tokens(text);
  const name = parts[0];
  if (!name) return unreadable('a column', text);
  let at = 1;
  const type: string[] = [];
  while (at < parts.length && !COLUMN_KEYWORDS.has(parts[at] ?? '')) type.push(parts[at++] ?? '');
  let nullable = true;
  let defaultValue: string | undefined;
  let generated: string | undefined;
  let constraintName: string | undefined;
  const constrain = (constraint: Omit<Constraint, 'name'>): void => {
    table.constraints.push({
      ...constraint,
      ...(constraintName ? { name: constraintName } : {}),
    });
    constraintName = undefined;
  };
  while (at < parts.length) {
    const word = parts[at];
    if (word === 'not' && parts[at + 1] === 'null') {
      nullable = false;
      at += 2;
    } else if (word === 'null') {
      at += 1;
    } else if (word === 'default') {
      const value: string[] = [];
      at += 1;
      while (at < parts.length && !COLUMN_KEYWORDS.has(parts[at] ?? ''))
        value.push(parts[at++] ?? '');
      defaultValue = joined(value);
    } else if (word === 'primary' && parts[at + 1] === 'key') {
      nullable = false;
      constrain({ kind: 'primary key', columns: [name], definition: '' });
      at += 2;
    } else if (word === 'unique') {
      constrain({ kind: 'unique', columns: [name], definition: '' });
      at += 1;
    } else if (word === 'references') {
      const reference = referenceAt(parts, at);
      constrain({
        kind: 'foreign key',
        columns: [name],
        definition: '',
        references: { table: reference.table, columns: reference.columns },
      });
      at += reference.taken;
    } else if (word === 'check' && parts[at + 1]?.startsWith('(')) {
      constrain({ kind: 'check', columns: [name], definition: inner(parts[at + 1] ?? '') });
      at += 2;
    } else if (word === 'constraint' && parts[at + 1]) {
      constraintName = parts[at + 1];
      at += 2;
    } else if (word === 'generated' && parts[at + 1] === 'always' && parts[at + 2] === 'as') {
      const what = parts[at + 3] ?? '';
      if (what === 'identity') {
        generated = 'identity';
        nullable = false;
        at += 4;
      } else if (what.startsWith('(') && parts[at + 4] === 'stored') {
        generated = inner(what);
        at += 5;
      } else {
        return unreadable('a generated column', text);
      }
    } else {
      return unreadable('a column', text);
    }
  }
  table.columns.push({
    name,
    type: joined(type),
    nullable,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    ...(generated === undefined ? {} : { generated }),
    ...(comment ? { comment } : {}),
    ...(addedBy ? { addedBy } : {}),
  });
}

/** `[constraint name] primary key (…) | unique (…) | check (…) | foreign key (…) references …`. */
function addTableConstraint(table: TableDraft, text: string, comment: string): void {
  const parts = tokens(text);
  let name: string | undefined;
  let at = 0;
  if (parts[0] === 'constraint') {
    name = parts[1];
    at = 2;
  }
  const named = { ...(name ? { name } : {}), ...(comment ? { comment } : {}) };
  const [first, second, third] = parts.slice(at);
  if (first === 'primary' && second === 'key' && third?.startsWith('(')) {
    table.constraints.push({
      ...named,
      kind: 'primary key',
      columns: columnList(third),
      definition: '',
    });
  } else if (first === 'unique' && second?.startsWith('(')) {
    table.constraints.push({
      ...named,
      kind: 'unique',
      columns: columnList(second),
      definition: '',
    });
  } else if (first === 'check' && second?.startsWith('(')) {
    table.constraints.push({ ...named, kind: 'check', columns: [], definition: inner(second) });
  } else if (first === 'foreign' && second === 'key' && third?.startsWith('(')) {
    const reference = referenceAt(parts, at + 3);
    table.constraints.push({
      ...named,
      kind: 'foreign key',
      columns: columnList(third),
      definition: '',
      references: { table: reference.table, columns: reference.columns },
    });
  } else {
    unreadable('a table constraint', text);
  }
}

const TABLE_CONSTRAINT = /^(constraint \w+ )?(primary key|unique|check|foreign key)\b/;

/** The whole schema a list of migrations leaves behind, applied in order. */
export function schemaOf(
  migrations: readonly { file: string; path: string; sql: string; set: string }[],
): Schema {
  const tables = new Map<string, TableDraft>();
  const functionComments = new Map<string, string>();
  const files: MigrationFile[] = [];
  const tableNamed = (name: string, text: string): TableDraft =>
    tables.get(name) ?? unreadable(`a statement on unknown table ${name}`, text);

  for (const migration of migrations) {
    const { statements, firstComment } = splitStatements(migration.sql);
    let changesData = false;
    for (const { comment, text } of statements) {
      const flat = normalized(text);
      let match: RegExpExecArray | null;
      if ((match = /^create table (?:if not exists )?(\w+) \(/.exec(flat))) {
        const name = match[1] ?? '';
        const open = text.indexOf('(');
        const close = closingParenthesis(text, open);
        const table: TableDraft = {
          name,
          createdBy: migration.file,
          comment,
          columns: [],
          constraints: [],
          indexes: [],
          triggers: [],
        };
        for (const item of splitItems(text.slice(open + 1, close))) {
          if (TABLE_CONSTRAINT.test(item.text)) addTableConstraint(table, item.text, item.comment);
          else addColumn(table, item.text, item.comment);
        }
        tables.set(name, table);
      } else if (
        (match =
          /^create (unique )?index (?:if not exists )?(\w+) on (\w+) (?:using \w+ )?(\(.*)$/.exec(
            flat,
          ))
      ) {
        const rest = match[4] ?? '';
        const close = closingParenthesis(rest, 0);
        const where = /^ where (.*)$/.exec(rest.slice(close + 1));
        if (!where && rest.slice(close + 1).trim() !== '') unreadable('an index', text);
        tableNamed(match[3] ?? '', text).indexes.push({
          name: match[2] ?? '',
          unique: match[1] !== undefined,
          columns: inner(rest.slice(0, close + 1)),
          ...(where?.[1] ? { where: where[1] } : {}),
          ...(comment ? { comment } : {}),
        });
      } else if ((match = /^alter table (\w+) add column (.*)$/.exec(flat))) {
        addColumn(tableNamed(match[1] ?? '', text), match[2] ?? '', comment, migration.file);
      } else if (
        (match = /^alter table (\w+) add (.*)$/.exec(flat)) &&
        TABLE_CONSTRAINT.test(match[2] ?? '')
      ) {
        addTableConstraint(tableNamed(match[1] ?? '', text), match[2] ?? '', comment);
      } else if ((match = /^alter table (\w+) drop constraint (?:if exists )?(\w+)$/.exec(flat))) {
        const table = tableNamed(match[1] ?? '', text);
        const at = table.constraints.findIndex((constraint) => constraint.name === match?.[2]);
        if (at === -1) unreadable('a drop of a constraint never named', text);
        table.constraints.splice(at, 1);
      } else if ((match = /^drop index (?:if exists )?(\w+)$/.exec(flat))) {
        for (const table of tables.values()) {
          const at = table.indexes.findIndex((index) => index.name === match?.[1]);
          if (at !== -1) table.indexes.splice(at, 1);
        }
      } else if ((match = /^drop table (?:if exists )?(\w+)$/.exec(flat))) {
        tables.delete(match[1] ?? '');
      } else if ((match = /^create (?:or replace )?function (\w+)\(/.exec(flat))) {
        if (comment) functionComments.set(match[1] ?? '', comment);
      } else if (
        (match =
          /^create (constraint )?trigger (\w+) ((?:before|after|instead of) .+?) on (\w+) (deferrable initially deferred )?for each (row|statement) execute (?:function|procedure) (\w+)\(\)$/.exec(
            flat,
          ))
      ) {
        const functionName = match[7] ?? '';
        const why = comment || functionComments.get(functionName);
        tableNamed(match[4] ?? '', text).triggers.push({
          name: match[2] ?? '',
          when: match[3] ?? '',
          level: match[6] === 'row' ? 'row' : 'statement',
          function: functionName,
          deferred: match[5] !== undefined,
          ...(why ? { comment: why } : {}),
        });
      } else if (/^(update|insert|delete) /.test(flat)) {
        changesData = true;
      } else {
        unreadable('a statement', text);
      }
    }
    files.push({
      set: migration.set,
      file: migration.file,
      path: migration.path,
      purpose: firstComment,
      changesData,
    });
  }
  return { tables: [...tables.values()].map(named), migrations: files };
}

/** Identifiers an expression mentions, outside its string literals. */
const identifiersOf = (expression: string): Set<string> =>
  new Set(expression.replace(/'[^']*'/g, ' ').match(/[a-z_][a-z0-9_]*/g) ?? []);

/**
 * Gives unnamed constraints the names PostgreSQL chooses (`<table>_pkey`, `<table>_<columns>_key`,
 * `_fkey`, `<table>_<column>_check` for a check on one column, else `<table>_check`, a number
 * appended on a clash), so the pages name what an error message or `\d` will show.
 */
function named(draft: TableDraft): Table {
  const taken = new Set(draft.constraints.flatMap((constraint) => constraint.name ?? []));
  const columns = new Set(draft.columns.map((column) => column.name));
  const choose = (base: string): string => {
    let name = base;
    for (let suffix = 1; taken.has(name); suffix += 1) name = `${base}${suffix}`;
    taken.add(name);
    return name;
  };
  const constraints = draft.constraints.map((constraint): Constraint => {
    if (constraint.name !== undefined) return { ...constraint, name: constraint.name };
    let base: string;
    if (constraint.kind === 'primary key') base = `${draft.name}_pkey`;
    else if (constraint.kind === 'unique')
      base = `${draft.name}_${constraint.columns.join('_')}_key`;
    else if (constraint.kind === 'foreign key')
      base = `${draft.name}_${constraint.columns.join('_')}_fkey`;
    else {
      const mentioned = [...identifiersOf(constraint.definition)].filter((word) =>
        columns.has(word),
      );
      base =
        mentioned.length === 1
          ? `${draft.name}_${mentioned[0] ?? ''}_check`
          : `${draft.name}_check`;
    }
    return { ...constraint, name: choose(base) };
  });
  return {
    name: draft.name,
    createdBy: draft.createdBy,
    ...(draft.comment ? { comment: draft.comment } : {}),
    columns: draft.columns,
    constraints,
    indexes: draft.indexes,
    triggers: draft.triggers,
  };
}

/** Retention and ownership as the code implements them; kept by hand, beside the generated part. */
const PLATFORM_RETENTION: Readonly<Record<string, string>> = {
  atlas_outbox:
    'a row lives until its event is published: the relay deletes each batch once the broker acknowledged it ([ADR-0023](../adr/0023-outbox-relay-leader.md)), so the table holds only the backlog',
  atlas_inbox:
    'kept: nothing deletes inbox rows, so a consumer recognises an event however late it comes back (a relay republishing after a crash, a dead letter replayed, a topic read again)',
  atlas_command_outcomes:
    "25 h: every command function deletes older answers every 10 minutes (`forgetOldOutcomes`, `shared/http/src/command-outcomes.ts`), an hour beyond the contract's 24 h for Idempotency-Keys",
  atlas_schema_migrations:
    'kept: one row per applied file, the record of what ran and its checksum',
};

function retentionOf(table: string): string {
  const retention = PLATFORM_RETENTION[table];
  if (retention === undefined)
    throw new UnreadableMigrationError(
      `platform table ${table} has no retention note in data-doc.ts`,
    );
  return retention;
}

interface Ownership {
  /** What the database is the source of truth for, as a sentence. */
  readonly owns: string;
  readonly retention: readonly string[];
}

const OWNERSHIP: Readonly<Record<ServiceName, Ownership>> = {
  order: {
    owns: 'It is the source of truth for orders and the saga state of each, kept on the same row ([ADR-0026](../adr/0026-saga-orchestrated-by-order.md)): the one place that decides confirmations and compensations.',
    retention: [
      'Orders are kept: nothing deletes them; a settled order (CONFIRMED or CANCELLED) stays as it ended.',
      'The order lines (`lines`) never change after placement.',
    ],
  },
  inventory: {
    owns: 'It is the source of truth for stock per SKU, the reservations that hold it and the backorders waiting for it.',
    retention: [
      'Items, reservations and backorders are kept: a released reservation stays as RELEASED and a closed backorder as FILLED or CANCELLED, which is how a release happens exactly once.',
      '`inventory_orders` keeps every order inventory has heard of, so a late or replayed OrderPlaced reserves nothing twice.',
    ],
  },
  billing: {
    owns: 'It is the source of truth for invoices, payments, refunds and the double-entry ledger, and holds the book of the simulated card provider (`card_charges`).',
    retention: [
      'The ledger is append-only (triggers refuse update and delete); corrections are reversing entries. Invoices, payments, refunds and callbacks are kept.',
      'The card token in `billing_orders.card_token` is erased once its one charge is recorded, whatever the outcome, or when the invoice is voided first ([ADR-0034](../adr/0034-hardening-decisions.md), migration 0002 erased older rows).',
    ],
  },
  workflow: {
    owns: 'It is the source of truth for approvals and for the audit trail of every command and saga decision ([ADR-0027](../adr/0027-audit-trail.md)).',
    retention: [
      'The audit log is append-only for every role, the service included (triggers refuse update, delete and truncate) and kept.',
      'Approvals and `cancelled_orders` are kept.',
    ],
  },
  reporting: {
    owns: 'It is the source of truth for nothing: it holds read models derived from the events of every topic, which `POST /v1/ops/projections/{name}/rebuild` recreates from the topics (into a shadow table swapped in at the end, so readers never wait).',
    retention: [
      'Kept: nothing deletes rows, so the reports outlive the topics (locally the broker keeps events 24 h). A rebuild sees only what the topics still hold, so it is no way back to events the retention dropped ([runbook](../runbooks/rebuild-projections.md)).',
      "No payment data: the timeline keeps only the payment method's type of an OrderPlaced (migration 0002 removed tokens projected before).",
      'Its `atlas_outbox` stays empty: reporting publishes no events and has no relay; its commands are audited in the log instead.',
    ],
  },
};

export interface DataModel {
  readonly platform: Schema;
  readonly services: Readonly<Record<ServiceName, Schema>>;
  readonly functions: readonly CatalogEntry[];
}

/** `atlas_schema_migrations` is created by the runner itself, not by a migration file. */
function migrationsTableSql(): string {
  const source = readFileSync(MIGRATE_SOURCE, 'utf8');
  const start = source.indexOf('create table if not exists atlas_schema_migrations');
  if (start === -1)
    throw new UnreadableMigrationError(
      `${MIGRATE_SOURCE} no longer creates atlas_schema_migrations`,
    );
  const close = closingParenthesis(source, source.indexOf('(', start));
  return `${source.slice(start, close + 1)};`;
}

const repoPath = (absolute: string): string => relative(repoRoot(), absolute);

function filesOf(
  migrations: readonly Migration[],
  directory: string,
): { file: string; path: string; sql: string; set: string }[] {
  return migrations.map((migration) => {
    const file = `${migration.version}_${migration.description}.sql`;
    return { file, path: repoPath(join(directory, file)), sql: migration.sql, set: migration.set };
  });
}

/** The schemas the migrations build, read from the files `@atlas/db` applies. */
export function readDataModel(): DataModel {
  const services = Object.fromEntries(
    (Object.keys(SERVICE_DATABASES) as ServiceName[]).map((service) => {
      const own = migrationSetsOf(service).filter((set) => set.name !== 'platform');
      return [service, schemaOf(own.flatMap((set) => filesOf(readMigrations(set), set.directory)))];
    }),
  ) as Record<ServiceName, Schema>;
  // Every service gets the same platform set; any service's list names it.
  const platformSet =
    migrationSetsOf('order').find((set) => set.name === 'platform') ??
    unreadable('the migration sets', 'no platform set');
  const platform = schemaOf([
    {
      file: 'the migration runner (`shared/db/src/migrate.ts`)',
      path: 'shared/db/src/migrate.ts',
      sql: migrationsTableSql(),
      set: 'runner',
    },
    ...filesOf(readMigrations(platformSet), platformSet.directory),
  ]);
  return {
    platform: {
      tables: platform.tables,
      migrations: platform.migrations.filter((file) => file.set !== 'runner'),
    },
    services,
    functions: loadCatalog(),
  };
}

const cell = (text: string): string => text.replaceAll('|', '\\|');
const code = (text: string): string => `\`${text}\``;

function columnNotes(table: Table, column: Column): string {
  const notes: string[] = [];
  for (const constraint of table.constraints) {
    if (!constraint.columns.includes(column.name)) continue;
    if (constraint.kind === 'primary key') notes.push('PK');
    if (constraint.kind === 'unique' && constraint.columns.length === 1) notes.push('unique');
    if (constraint.kind === 'foreign key' && constraint.references)
      notes.push(
        `→ ${code(`${constraint.references.table}.${constraint.references.columns.join(', ')}`)}`,
      );
  }
  if (column.generated === 'identity') notes.push('identity');
  else if (column.generated) notes.push(`generated: ${code(column.generated)}`);
  if (column.addedBy) notes.push(`added by ${column.addedBy}`);
  if (column.comment) notes.push(column.comment);
  return cell(notes.join('; '));
}

function definitionOf(constraint: Constraint): string {
  if (constraint.kind === 'check') return code(constraint.definition);
  const columns = code(`(${constraint.columns.join(', ')})`);
  if (constraint.kind === 'foreign key' && constraint.references) {
    return `${columns} → ${code(`${constraint.references.table} (${constraint.references.columns.join(', ')})`)}`;
  }
  return columns;
}

function tableSection(table: Table, level: string): string[] {
  const lines = [`${level} ${code(table.name)}`, ''];
  if (table.comment) lines.push(table.comment, '');
  lines.push(
    `Created by ${table.createdBy}.`,
    '',
    '| column | type | null | default | notes |',
    '| --- | --- | --- | --- | --- |',
    ...table.columns.map(
      (column) =>
        `| ${code(column.name)} | ${column.type} | ${column.nullable ? 'yes' : 'no'} | ${column.default ? cell(code(column.default)) : ''} | ${columnNotes(table, column)} |`,
    ),
    '',
    '| constraint | kind | definition | why |',
    '| --- | --- | --- | --- |',
    ...table.constraints.map(
      (constraint) =>
        `| ${code(constraint.name)} | ${constraint.kind} | ${cell(definitionOf(constraint))} | ${cell(constraint.comment ?? '')} |`,
    ),
  );
  if (table.indexes.length > 0) {
    lines.push(
      '',
      '| index | columns | where | why |',
      '| --- | --- | --- | --- |',
      ...table.indexes.map(
        (index) =>
          `| ${code(index.name)}${index.unique ? ' (unique)' : ''} | ${cell(code(index.columns))} | ${index.where ? cell(code(index.where)) : ''} | ${cell(index.comment ?? '')} |`,
      ),
    );
  }
  if (table.triggers.length > 0) {
    lines.push(
      '',
      '| trigger | fires | function | why |',
      '| --- | --- | --- | --- |',
      ...table.triggers.map(
        (trigger) =>
          `| ${code(trigger.name)} | ${trigger.when}, for each ${trigger.level}${trigger.deferred ? ', deferred to commit' : ''} | ${code(`${trigger.function}()`)} | ${cell(trigger.comment ?? '')} |`,
      ),
    );
  }
  lines.push('');
  return lines;
}

const mermaidType = (type: string): string => type.replace(/[^A-Za-z0-9_]+/g, '_');

/** A mermaid erDiagram: each table with its columns and keys, each foreign key a relationship. */
function erDiagram(tables: readonly Table[]): string[] {
  const lines = ['```mermaid', 'erDiagram'];
  for (const table of tables) {
    lines.push(`  ${table.name} {`);
    for (const column of table.columns) {
      const keys = [
        table.constraints.some((c) => c.kind === 'primary key' && c.columns.includes(column.name))
          ? 'PK'
          : '',
        table.constraints.some((c) => c.kind === 'foreign key' && c.columns.includes(column.name))
          ? 'FK'
          : '',
        table.constraints.some(
          (c) => c.kind === 'unique' && c.columns.length === 1 && c.columns[0] === column.name,
        )
          ? 'UK'
          : '',
      ].filter((key) => key !== '');
      lines.push(
        `    ${mermaidType(column.type)} ${column.name}${keys.length > 0 ? ` ${keys.join(', ')}` : ''}`,
      );
    }
    lines.push('  }');
  }
  for (const table of tables) {
    for (const constraint of table.constraints) {
      if (constraint.kind !== 'foreign key' || !constraint.references) continue;
      const nullable = constraint.columns.some(
        (name) => table.columns.find((column) => column.name === name)?.nullable ?? true,
      );
      const unique = table.constraints.some(
        (other) =>
          (other.kind === 'unique' || other.kind === 'primary key') &&
          other.columns.length === constraint.columns.length &&
          other.columns.every((name) => constraint.columns.includes(name)),
      );
      lines.push(
        `  ${constraint.references.table} ${nullable ? '|o' : '||'}--${unique ? 'o|' : 'o{'} ${table.name} : "${constraint.columns.join(', ')}"`,
      );
    }
  }
  lines.push('```');
  return lines;
}

// Migrations are named by their repository path, not linked: a page under docs/ linking into
// shared/ reads like a link out of the repository to the docs checks.
function migrationTable(files: readonly MigrationFile[]): string[] {
  return [
    '| set | migration | purpose |',
    '| --- | --- | --- |',
    ...files.map(
      (file) =>
        `| ${file.set} | \`${file.path}\` | ${cell(file.purpose)}${file.changesData ? ' (also rewrites rows)' : ''} |`,
    ),
  ];
}

const PLATFORM_ANCHOR = 'README.md#platform-tables-in-every-service-database';

function servicePage(service: ServiceName, schema: Schema, model: DataModel): string {
  const ownership = OWNERSHIP[service];
  const functions = model.functions.filter((entry) => entry.service === service);
  return [
    `# Data of the ${service} service`,
    '',
    `Generated from the service's migrations by \`infra/docs/data-doc.ts\` (\`npm run docs:generate\`);`,
    'a test fails while this page and the migrations disagree. The ownership and retention notes are',
    "kept by hand in the generator. The [index](README.md) lists every service's database.",
    '',
    '## Ownership and retention',
    '',
    `The database \`${SERVICE_DATABASES[service]}\` belongs to the ${service} service alone: only its functions (${functions.map((entry) => `[${entry.name}](../../functions/${service}/${entry.name})`).join(', ')}) connect to it, and other services learn its state from its events. ${ownership.owns}`,
    '',
    ...ownership.retention.map((line) => `- ${line}`),
    `- The [platform tables](${PLATFORM_ANCHOR}) (outbox, inbox, stored command answers, applied migrations) are here too.`,
    '',
    '## Migrations',
    '',
    `Applied in this order after the [platform set](${PLATFORM_ANCHOR}), all pending files in one transaction ([ADR-0022](../adr/0022-sql-migrations.md)):`,
    '',
    ...migrationTable(schema.migrations),
    '',
    '## Tables',
    '',
    ...erDiagram(schema.tables),
    '',
    ...schema.tables.flatMap((table) => tableSection(table, '###')),
  ].join('\n');
}

function indexPage(model: DataModel): string {
  const services = Object.keys(SERVICE_DATABASES) as ServiceName[];
  return [
    '# Data',
    '',
    'Where Atlas ERP keeps its state. Generated from the SQL migrations by `infra/docs/data-doc.ts`',
    '(`npm run docs:generate`); a test fails while these pages and the migrations disagree.',
    '',
    'Each service owns one PostgreSQL database, `atlas_<service>`, and no service reads another',
    "one's: state crosses service boundaries only as events. `@atlas/db` migrates each database",
    "with the platform set (`shared/db/migrations/`) first, then the service's own",
    '(`functions/<service>/migrations/`), at `npm start`, in the test set-up and when a function',
    'starts ([ADR-0022](../adr/0022-sql-migrations.md)). The gateway and the ops functions have no',
    'database.',
    '',
    '| service | database | tables | page |',
    '| --- | --- | --- | --- |',
    ...services.map(
      (service) =>
        `| ${service} | \`${SERVICE_DATABASES[service]}\` | ${model.services[service].tables.map((table) => code(table.name)).join(', ')} | [${service}.md](${service}.md) |`,
    ),
    '',
    '## Platform tables in every service database',
    '',
    'The same tables in each of the five databases, from the platform set; how the outbox and the',
    'inbox work together is in [the outbox and inbox page](../events/outbox-inbox.md).',
    '',
    '| table | retention |',
    '| --- | --- |',
    ...model.platform.tables.map(
      (table) => `| ${code(table.name)} | ${cell(retentionOf(table.name))} |`,
    ),
    '',
    ...migrationTable(model.platform.migrations),
    '',
    ...erDiagram(model.platform.tables),
    '',
    ...model.platform.tables.flatMap((table) => tableSection(table, '###')),
  ].join('\n');
}

/** Every page of `docs/data/`, by file name, as the migrations say they must read. */
export function renderDataDocs(model: DataModel = readDataModel()): Map<string, string> {
  const pages = new Map<string, string>([['README.md', indexPage(model)]]);
  for (const service of Object.keys(SERVICE_DATABASES) as ServiceName[]) {
    pages.set(`${service}.md`, servicePage(service, model.services[service], model));
  }
  return pages;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(DATA_DOCS, { recursive: true });
  for (const [file, page] of renderDataDocs()) writeFileSync(join(DATA_DOCS, file), page);
  console.log('wrote docs/data/');
}
