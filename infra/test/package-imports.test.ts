import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FUNCTIONS_ROOT } from '@atlas/catalog';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { importsOf, packageOf, workspaceFolders } from './package-imports.ts';

interface Workspace {
  /** Relative to the repository, e.g. `functions/ops/dead-letters`. */
  readonly path: string;
  readonly directory: string;
  readonly manifest: { name: string; dependencies?: Record<string, string> };
}

/** Every workspace package under `functions/`: the functions and their services' libraries. */
function functionWorkspaces(): Workspace[] {
  return workspaceFolders(FUNCTIONS_ROOT).map((directory) => ({
    path: relative(REPO_ROOT, directory),
    directory,
    manifest: JSON.parse(
      readFileSync(join(directory, 'package.json'), 'utf8'),
    ) as Workspace['manifest'],
  }));
}

// A package.json declares exactly what its code imports (issue 14): nothing copied from a
// neighbour, nothing missing; another package's code is imported by its name, never by a relative
// path out of the folder. Tests take theirs from the workspace root.
describe('each workspace package under functions/', () => {
  it('declares exactly the packages its code imports', () => {
    const drift: Record<string, { declared: string[]; imported: string[] }> = {};
    for (const { path, directory, manifest } of functionWorkspaces()) {
      const declared = Object.keys(manifest.dependencies ?? {}).sort();
      const imported = [...importsOf(directory, manifest.name).packages].sort();
      if (declared.join() !== imported.join()) drift[path] = { declared, imported };
    }
    expect(drift).toEqual({});
  });

  it('imports other packages by name, not by a relative path out of its folder', () => {
    const outside = functionWorkspaces().flatMap(({ path, directory }) =>
      importsOf(directory).outside.map((line) => `${path}/${line}`),
    );
    expect(outside).toEqual([]);
  });
});

describe('importsOf', () => {
  it('names packages by scope and name, reports relative imports out of the folder, skips tests and built-ins', () => {
    const root = mkdtempSync(join(tmpdir(), 'atlas-imports-'));
    mkdirSync(join(root, 'fn'));
    writeFileSync(
      join(root, 'fn', 'main.ts'),
      "import { a } from '@atlas/http/testing';\nimport { readFileSync } from 'node:fs';\nimport { b } from '../lib/b.ts';\nimport { c } from './c.ts';\nimport def from './function.json' with { type: 'json' };\nexport { z } from 'zod/mini';\n",
    );
    writeFileSync(join(root, 'fn', 'main.test.ts'), "import { c } from '@jest/globals';\n");

    const imports = importsOf(join(root, 'fn'));
    expect([...imports.packages].sort()).toEqual(['@atlas/http', 'zod']);
    expect(imports.outside).toEqual(['main.ts: ../lib/b.ts']);
    expect([packageOf('@kafkajs/confluent-schema-registry'), packageOf('./x.ts')]).toEqual([
      '@kafkajs/confluent-schema-registry',
      undefined,
    ]);
  });
});
