import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '@atlas/catalog';
import { renderInfrastructure } from './infrastructure.ts';
import { DEFAULT_CLUSTER_SETTINGS, renderManifests } from './manifests.ts';
import { renderOpenFaasStack } from './openfaas.ts';
import { toYaml } from './yaml.ts';

export const GENERATED_DIR = fileURLToPath(new URL('../../k8s/generated', import.meta.url));
const HEADER =
  '# Generated from the function catalog (functions/*/*/function.json) by `npm run k8s:generate`.\n' +
  '# Do not edit: change the catalog and regenerate; a test fails while this file is stale.\n';

/**
 * Path under `k8s/generated/` → the text `npm run k8s:generate` writes for the current catalog:
 * the functions' manifests, the infrastructure they need under `infra/`, and the same functions
 * for OpenFaaS under `openfaas/`.
 */
export function expectedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, documents] of renderInfrastructure())
    files.set(`infra/${name}`, HEADER + toYaml(documents));
  const catalog = loadCatalog();
  for (const [name, documents] of renderManifests(catalog))
    files.set(name, HEADER + toYaml(documents));
  files.set(
    'openfaas/stack.yaml',
    HEADER + toYaml([renderOpenFaasStack(catalog, DEFAULT_CLUSTER_SETTINGS)]),
  );
  return files;
}

/** Every `.yaml` under `directory`, as paths relative to it. */
function yamlFilesUnder(directory: string): string[] {
  try {
    return readdirSync(directory, { recursive: true, encoding: 'utf8' }).filter((name) =>
      name.endsWith('.yaml'),
    );
  } catch {
    return [];
  }
}

/** The generated files that differ from, are missing in, or are extra in `k8s/generated/`. */
export function staleFiles(directory: string = GENERATED_DIR): string[] {
  const expected = expectedFiles();
  const stale = yamlFilesUnder(directory).filter((name) => !expected.has(name));
  for (const [name, text] of expected) {
    let current: string | undefined;
    try {
      current = readFileSync(join(directory, name), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) stale.push(name);
  }
  return stale.sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    if (stale.length > 0) {
      console.error(`k8s/generated is stale (${stale.join(', ')}); run npm run k8s:generate`);
      process.exit(1);
    }
    console.log('k8s/generated matches the catalog');
  } else {
    rmSync(GENERATED_DIR, { recursive: true, force: true });
    mkdirSync(GENERATED_DIR, { recursive: true });
    const files = expectedFiles();
    for (const [name, text] of files) {
      mkdirSync(dirname(join(GENERATED_DIR, name)), { recursive: true });
      writeFileSync(join(GENERATED_DIR, name), text);
    }
    console.log(`wrote ${files.size} files to k8s/generated`);
  }
}
