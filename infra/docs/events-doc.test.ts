import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadCatalog, type CatalogEntry } from '@atlas/catalog';
import { EVENT_TYPES, assertValidEvent, type EventType } from '@atlas/events';
import {
  EVENT_DOCS,
  OTHER_EVENT_PAGES,
  PRODUCERS,
  exampleOf,
  producersOf,
  renderEventDocs,
} from './events-doc.ts';
import { withoutTablePadding } from './markdown.ts';

const catalog = loadCatalog();
const pages = renderEventDocs(catalog);

/** The non-test TypeScript sources under `directory`, fixtures aside. */
function sourcesUnder(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter(
      (entry) =>
        entry.isFile() &&
        entry.name.endsWith('.ts') &&
        !entry.name.endsWith('.test.ts') &&
        !entry.parentPath.includes('node_modules') &&
        !entry.parentPath.includes('/testing'),
    )
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));
}

/** A function's own sources and its service's shared packages (`domain`, `items`): no function.json. */
function sourcesOf(entry: CatalogEntry): string[] {
  const service = join(entry.directory, '..');
  const libraries = readdirSync(service, { withFileTypes: true })
    .filter(
      (folder) => folder.isDirectory() && !existsSync(join(service, folder.name, 'function.json')),
    )
    .map((folder) => join(service, folder.name));
  return [entry.directory, ...libraries].flatMap(sourcesUnder);
}

describe('docs/events/', () => {
  it('holds a page per event type besides the catalog and the outbox page', () => {
    const committed = readdirSync(EVENT_DOCS).filter(
      (file) => file.endsWith('.md') && !OTHER_EVENT_PAGES.includes(file),
    );
    expect(committed.sort()).toEqual([...pages.keys()].sort());
  });

  it.each([...pages.keys()])('%s reads as the schema and the catalogs say', (file) => {
    expect(withoutTablePadding(readFileSync(join(EVENT_DOCS, file), 'utf8'))).toEqual(
      withoutTablePadding(pages.get(file) ?? ''),
    );
  });

  it.each(EVENT_TYPES)('the example of %s is a valid event', (eventType) => {
    expect(() => {
      assertValidEvent(exampleOf(eventType));
    }).not.toThrow();
  });
});

describe('the producers the event pages name', () => {
  const claimed = (Object.keys(PRODUCERS) as Exclude<EventType, 'AuditRecorded'>[]).flatMap(
    (eventType) => producersOf(eventType, catalog).map((entry) => [eventType, entry] as const),
  );

  it.each(claimed.map(([eventType, entry]) => [eventType, entry.qualifiedName, entry] as const))(
    '%s: %s has code that stages it',
    (eventType, _name, entry) => {
      expect(sourcesOf(entry).some((source) => source.includes(`'${eventType}'`))).toBe(true);
    },
  );

  it("include every event a function's own code stages by name", () => {
    const emitted = catalog.flatMap((entry) =>
      sourcesUnder(entry.directory).flatMap((source) =>
        [...source.matchAll(/(?:\bemit|\bcreateEvent)\(\s*'([A-Za-z]+)'/g)].map(
          (match) => `${match[1] ?? ''} by ${entry.qualifiedName}`,
        ),
      ),
    );
    const listed = new Set(
      EVENT_TYPES.flatMap((eventType) =>
        producersOf(eventType, catalog).map((entry) => `${eventType} by ${entry.qualifiedName}`),
      ),
    );
    expect([...new Set(emitted)].filter((pair) => !listed.has(pair))).toEqual([]);
  });

  it('name a producer for every event', () => {
    expect(EVENT_TYPES.filter((eventType) => producersOf(eventType, catalog).length === 0)).toEqual(
      [],
    );
  });
});
