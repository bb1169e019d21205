import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { serviceNames } from '@atlas/config';
import { loadCatalog, type CatalogEntry } from '@atlas/catalog';
import { buildBundles } from '../local/bundles.ts';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { packageVersion, SETUP_IMAGE } from '../k8s/manifests.ts';

/** The set-up Job's image: migrations and schemas before the functions start. */
export { SETUP_IMAGE } from '../k8s/manifests.ts';

/** One image to build: a function of the catalog, or the set-up. */
export interface ImageSpec {
  /** `<service>-<function>`, or `setup`: the image's name and its context folder's. */
  readonly name: string;
  readonly entryPath: string;
  /** Its tag: the function's package version, the repository's for the set-up. */
  readonly version: string;
  /** The set-up reads the migrations; a function never does. */
  readonly withMigrations: boolean;
}

/**
 * What one image holds, under `/app` (ADR-0040): its bundle `main.mjs` and the run-time files it
 * may read through `ATLAS_REPO_ROOT` — the Avro schemas and the catalog's definitions (the gateway
 * routes by them, the ops functions find consumers by them), and for the set-up the migrations.
 * No source, no `node_modules`, no TypeScript.
 */
export interface ImageContext {
  readonly spec: ImageSpec;
  readonly directory: string;
  readonly bytes: number;
}

/** Every image of the system: one per function of the catalog, and the set-up's. */
export function imageSpecs(catalog: readonly CatalogEntry[] = loadCatalog()): ImageSpec[] {
  return [
    ...catalog.map((entry) => ({
      name: entry.qualifiedName,
      entryPath: entry.entryPath,
      version: packageVersion(entry.directory),
      withMigrations: false,
    })),
    {
      name: SETUP_IMAGE,
      entryPath: join(REPO_ROOT, 'infra', 'container', 'setup.ts'),
      version: packageVersion(REPO_ROOT),
      withMigrations: true,
    },
  ];
}

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

function copyFromRepo(directory: string, path: string): void {
  const target = join(directory, relative(REPO_ROOT, path));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(path, target, { recursive: true });
}

/** The run-time files of an image: `schemas/`, every `function.json`, and the migrations if asked. */
function copyRunTimeFiles(
  directory: string,
  catalog: readonly CatalogEntry[],
  withMigrations: boolean,
): void {
  copyFromRepo(directory, join(REPO_ROOT, 'schemas'));
  for (const entry of catalog) copyFromRepo(directory, join(entry.directory, 'function.json'));
  if (!withMigrations) return;
  copyFromRepo(directory, join(REPO_ROOT, 'shared', 'db', 'migrations'));
  for (const service of serviceNames) {
    const migrations = join(REPO_ROOT, 'functions', service, 'migrations');
    if (existsSync(migrations)) copyFromRepo(directory, migrations);
  }
}

/**
 * Builds the context of each image of `names` (all by default) under `outRoot/<name>/`: one
 * esbuild call for every bundle, then each image's run-time files.
 */
export async function buildImageContexts(
  outRoot: string,
  names?: readonly string[],
): Promise<ImageContext[]> {
  const catalog = loadCatalog();
  const specs = imageSpecs(catalog);
  const unknown = (names ?? []).filter((name) => !specs.some((spec) => spec.name === name));
  if (unknown.length > 0) throw new Error(`no such image: ${unknown.join(', ')}`);
  const chosen = names ? specs.filter((spec) => names.includes(spec.name)) : specs;
  rmSync(outRoot, { recursive: true, force: true });
  await buildBundles(
    chosen.map((spec) => ({ name: `${spec.name}/main`, entryPath: spec.entryPath })),
    outRoot,
  );
  return chosen.map((spec) => {
    const directory = join(outRoot, spec.name);
    copyRunTimeFiles(directory, catalog, spec.withMigrations);
    return { spec, directory, bytes: sizeOf(directory) };
  });
}
