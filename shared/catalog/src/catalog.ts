import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@atlas/config';
import { topicsOf, type EventTopic } from '@atlas/events/catalog';
import { functionDefinitionSchema, type FunctionDefinition, type Trigger } from './definition.ts';

export const FUNCTIONS_ROOT = join(repoRoot(), 'functions');

/** A Kafka trigger as the catalog gives it: the declared event types and the topics they are on. */
export type KafkaTrigger = Extract<Trigger, { kind: 'kafka' }> & {
  readonly topics: readonly EventTopic[];
};

/** A declared trigger, a Kafka one with its topics derived. */
export type CatalogTrigger = Exclude<Trigger, { kind: 'kafka' }> | KafkaTrigger;

export interface CatalogEntry extends Omit<FunctionDefinition, 'trigger'> {
  readonly trigger: CatalogTrigger;
  /** `<service>-<name>`: unique across Atlas, the process, image and Kubernetes name. */
  readonly qualifiedName: string;
  /** Absolute folder of the function. */
  readonly directory: string;
  /** Absolute path of its entry module. */
  readonly entryPath: string;
}

export class CatalogError extends Error {
  readonly code = 'ATLAS_CATALOG_INVALID';
}

function readDefinition(directory: string): CatalogEntry {
  const file = join(directory, 'function.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CatalogError(`${file} is not readable JSON`, { cause: error });
  }
  const parsed = functionDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new CatalogError(`${file} is not a valid function definition: ${details}`);
  }
  const entryPath = join(directory, parsed.data.entry);
  // An image carries every function's definition without its sources (function.json alone in its
  // folder, docs/DEPLOYMENT.md): the entry is checked only where the sources are.
  const sourcesPresent = readdirSync(directory).some((name) => name !== 'function.json');
  if (sourcesPresent && !existsSync(entryPath))
    throw new CatalogError(`${file}: entry ${parsed.data.entry} does not exist`);
  const { trigger } = parsed.data;
  return {
    ...parsed.data,
    trigger:
      trigger.kind === 'kafka' ? { ...trigger, topics: topicsOf(trigger.eventTypes) } : trigger,
    qualifiedName: `${parsed.data.service}-${parsed.data.name}`,
    directory,
    entryPath,
  };
}

/**
 * Every function of Atlas ERP, from `functions/<service>/<function>/function.json`: the one source
 * of truth the local runner, the delivery process, the k8s manifests, the docs and the tests read.
 * Checks what a single file cannot: unique qualified names and ports, the folder matching service and name.
 */
export function loadCatalog(root: string = FUNCTIONS_ROOT): CatalogEntry[] {
  if (!existsSync(root)) return [];
  const entries: CatalogEntry[] = [];
  for (const service of readdirSync(root, { withFileTypes: true }).filter((entry) =>
    entry.isDirectory(),
  )) {
    for (const folder of readdirSync(join(root, service.name), { withFileTypes: true })) {
      const directory = join(root, service.name, folder.name);
      if (!folder.isDirectory() || !existsSync(join(directory, 'function.json'))) continue;
      const entry = readDefinition(directory);
      if (entry.service !== service.name || entry.name !== folder.name) {
        throw new CatalogError(
          `${directory}: function.json says ${entry.service}/${entry.name}; the folder must match`,
        );
      }
      entries.push(entry);
    }
  }
  for (const key of ['qualifiedName', 'port'] as const) {
    const seen = new Map<string | number, string>();
    for (const entry of entries) {
      const other = seen.get(entry[key]);
      if (other)
        throw new CatalogError(`${entry.directory} and ${other} share the ${key} ${entry[key]}`);
      seen.set(entry[key], entry.directory);
    }
  }
  return entries.sort((a, b) => a.port - b.port);
}

/**
 * The function named `qualifiedName` (`<service>-<name>`) in the catalog: how one function finds
 * another's declaration (its port, its routes) instead of repeating it.
 *
 * @throws CatalogError when the catalog has no such function.
 */
export function catalogEntry(
  qualifiedName: string,
  catalog: readonly CatalogEntry[] = loadCatalog(),
): CatalogEntry {
  const entry = catalog.find((each) => each.qualifiedName === qualifiedName);
  if (!entry) throw new CatalogError(`The catalog has no function ${qualifiedName}`);
  return entry;
}

/** The KafkaSources the delivery process must run: one per function with a Kafka trigger. */
export function kafkaSources(
  catalog: readonly CatalogEntry[],
): (CatalogEntry & { trigger: KafkaTrigger })[] {
  return catalog.filter(
    (entry): entry is CatalogEntry & { trigger: KafkaTrigger } => entry.trigger.kind === 'kafka',
  );
}
